import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../support/projectFixture';

/** The shipped runtime bundle serving one model in a child process, as the image runs it. */
export interface RuntimeChild {
  url: string;
  pid: number;
  /** Whether the process is still running. */
  alive: () => boolean;
  /** Its resident set size now, in bytes (VmRSS of /proc/PID/status). */
  rssBytes: () => number;
  /** Everything it wrote to stdout and stderr. */
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts dist/runtime.js on a free loopback port and resolves once it says it is listening and ready. */
export function startRuntimeChild(env: Record<string, string>): Promise<RuntimeChild> {
  const child: ChildProcess = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'runtime.js')], {
    env: { ...process.env, MODELDEPLOY_HOST: '127.0.0.1', MODELDEPLOY_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let ready = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready) return;
      const listening = /"message":"listening","url":"([^"]+)"/.exec(output);
      if (listening && /"message":"ready"/.test(output)) {
        ready = true;
        resolve({
          url: listening[1],
          pid: child.pid!,
          alive: () => child.exitCode === null && child.signalCode === null,
          rssBytes: () => rssOf(child.pid!),
          output: () => output,
          stop: async () => {
            child.kill('SIGKILL');
            await exited;
          },
        });
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('exit', (code, signal) => reject(new Error(`the runtime exited (${code ?? signal}) before it was ready:\n${output}`)));
  });
}

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!kilobytes) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kilobytes[1]) * 1024;
}
