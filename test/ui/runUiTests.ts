// Runs the UI tier: the real VS Code (code-server from scripts/provision/vscode.sh) in headless Chromium,
// with the extension installed from its linux-x64 .vsix, worked through its UI by test/ui/uiDriver.ts.
// Ends with "ui tests: N passed, N failed"; MODELDEPLOY_TEST_RESULTS receives the counts as JSON.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeProjectResources, setConfig } from '../integration/engineFixture';
import { REPO_ROOT } from '../support/projectFixture';
import { makeTestWorkspace } from '../support/testWorkspace';
import { checkDemoVscode } from './demoVscodeCheck';

/** The linux-x64 package, built from this checkout by the packaging script: what a user installs is what is tested. */
function packageForThisMachine(): string {
  const made = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'package.mjs'), '--target', 'linux-x64'], { cwd: REPO_ROOT, encoding: 'utf8' });
  const file = /package: linux-x64\s+[\d.]+ MB\s+(\S+)/.exec(made.stdout)?.[1];
  if (made.status !== 0 || !file) throw new Error(`could not package the extension for linux-x64: ${made.stderr || made.stdout}`);
  return path.join(REPO_ROOT, file);
}

async function main(): Promise<number> {
  const vsix = packageForThisMachine();
  console.log(`ui tests: installing ${path.relative(REPO_ROOT, vsix)} into the VS Code under test`);
  const results = path.resolve(process.env.MODELDEPLOY_TEST_RESULTS || path.join(os.tmpdir(), 'modeldeploy-ui-tests.json'));
  fs.rmSync(results, { force: true });
  const workspace = makeTestWorkspace();
  // A name of its own for the iris copy: the images and containers this run makes are its alone.
  const iris = `ui-iris-${randomBytes(4).toString('hex')}`;
  setConfig(path.join(workspace, 'iris'), { name: iris });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-vscode-'));
  try {
    const launcher = path.join(REPO_ROOT, 'scripts', 'vscode-launcher', 'code');
    if ((fs.statSync(launcher).mode & 0o111) === 0) fs.chmodSync(launcher, 0o755);
    spawnSync(launcher, [`--install-extension=${vsix}`, `--user-data-dir=${path.join(profile, 'user-data')}`, `--extensions-dir=${path.join(profile, 'extensions')}`, workspace], {
      stdio: 'inherit',
      env: { ...process.env, MODELDEPLOY_UI_DRIVER: path.join(__dirname, 'uiDriver.js'), MODELDEPLOY_UI_IRIS_NAME: iris, MODELDEPLOY_TEST_RESULTS: results, ORT_DISABLE_TELEMETRY: '1' },
    });
  } finally {
    await removeProjectResources(iris).catch((error: Error) => console.log(`ui tests: could not remove ${iris}'s images and containers: ${error.message}`));
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    fs.rmSync(workspace, { recursive: true, force: true, maxRetries: 3 });
  }
  let counts = { passed: 0, failed: 1 };
  try {
    counts = JSON.parse(fs.readFileSync(results, 'utf8')) as typeof counts;
  } catch {
    console.log(`ui tests: no results in ${results} (the driver did not finish)`);
  }
  const demoProblem = await checkDemoVscode();
  console.log(`${demoProblem ? '  ✗' : '  ✔'} npm run demo:vscode serves the example in VS Code with the packaged extension, and Ctrl-C stops it${demoProblem ? `: ${demoProblem}` : ''}`);
  counts = { ...counts, passed: counts.passed + (demoProblem ? 0 : 1), failed: counts.failed + (demoProblem ? 1 : 0) };
  fs.writeFileSync(results, `${JSON.stringify(counts)}\n`);
  console.log(`ui tests: ${counts.passed} passed, ${counts.failed} failed`);
  return counts.failed ? 1 : 0;
}

void main().then((code) => process.exit(code));
