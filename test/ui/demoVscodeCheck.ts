import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/projectFixture';

const START_TIMEOUT_MS = 300_000;
const STOP_TIMEOUT_MS = 30_000;

function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    http.get(url, { timeout: 10_000 }, (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0))).on('error', () => resolve(0));
  });
}

/**
 * `npm run demo:vscode` as a user runs it: it prints an address that VS Code answers on, with the packaged
 * extension installed in it, and Ctrl-C stops it and removes its copy of the example. Resolves with what
 * went wrong, or undefined.
 */
export async function checkDemoVscode(): Promise<string | undefined> {
  const demo = spawn('bash', [path.join(REPO_ROOT, 'scripts', 'demo-vscode.sh')], { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  demo.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  demo.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => demo.on('exit', (code) => resolve(code)));
  const address = await Promise.race([
    new Promise<string>((resolve) => demo.stdout.on('data', () => {
      const match = /open (http:\/\/127\.0\.0\.1:\d+\/\?folder=(\S+))/.exec(output);
      if (match) resolve(match[1]);
    })),
    exited.then(() => undefined),
    new Promise<undefined>((resolve) => setTimeout(resolve, START_TIMEOUT_MS)),
  ]);
  try {
    if (!address) return `demo:vscode printed no address:\n${output}`;
    const folder = decodeURIComponent(new URL(address).searchParams.get('folder')!);
    const work = path.dirname(folder);
    if ((await status(address)) !== 200) return `${address} does not answer 200`;
    if (!fs.existsSync(path.join(folder, 'modeldeploy.yaml'))) return `${folder} is not a copy of the example`;
    const installed = fs.readdirSync(path.join(work, 'extensions')).filter((name) => name.startsWith('modeldeploy.model-deploy-'));
    if (installed.length !== 1) return `the packaged extension is not installed in ${work}/extensions: ${installed.join(', ')}`;
    process.kill(-demo.pid!, 'SIGINT');
    const code = await Promise.race([exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), STOP_TIMEOUT_MS))]);
    if (code === 'running') return 'demo:vscode did not stop on Ctrl-C';
    if (fs.existsSync(work)) return `demo:vscode left ${work} behind`;
    if ((await status(address)) !== 0) return `VS Code still answers on ${address} after Ctrl-C`;
    return undefined;
  } finally {
    try {
      process.kill(-demo.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
