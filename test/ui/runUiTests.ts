// Runs the UI tier: the real VS Code (code-server from scripts/provision/vscode.sh) in headless Chromium,
// with the extension installed from its linux-x64 .vsix, worked through its UI by test/ui/uiDriver.ts.
// Ends with "ui tests: N passed, N failed"; MODELDEPLOY_TEST_RESULTS receives the counts as JSON.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeEnvironments } from '../integration/deployFixture';
import { setConfig } from '../integration/engineFixture';
import { REPO_ROOT } from '../support/projectFixture';
import { packageForThisMachine } from '../support/packagedExtension';
import { makeTestWorkspace } from '../support/testWorkspace';
import { checkDemoVscode } from './demoVscodeCheck';

/** One run of the driver in a VS Code of its own (profile, extensions) on `workspace`; its counts. */
/** The counts and failed checks of a pass, as uiDriver writes them. */
interface UiResults {
  passed: number;
  failed: number;
  failures: { title: string; error: string }[];
}

function drivePass(vsix: string, workspace: string, iris: string, pass: 'workflow' | 'restricted'): UiResults {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-vscode-'));
  const results = path.join(profile, 'results.json');
  try {
    const launcher = path.join(REPO_ROOT, 'scripts', 'vscode-launcher', 'code');
    if ((fs.statSync(launcher).mode & 0o111) === 0) fs.chmodSync(launcher, 0o755);
    spawnSync(launcher, [`--install-extension=${vsix}`, `--user-data-dir=${path.join(profile, 'user-data')}`, `--extensions-dir=${path.join(profile, 'extensions')}`, workspace], {
      stdio: 'inherit',
      env: {
        ...process.env,
        MODELDEPLOY_UI_DRIVER: path.join(__dirname, 'uiDriver.js'),
        MODELDEPLOY_UI_PASS: pass,
        MODELDEPLOY_UI_IRIS_NAME: iris,
        MODELDEPLOY_TEST_RESULTS: results,
        ORT_DISABLE_TELEMETRY: '1',
        ...(pass === 'restricted' ? { MODELDEPLOY_VSCODE_WORKSPACE_TRUST: 'untrusted' } : {}),
      },
    });
    return JSON.parse(fs.readFileSync(results, 'utf8')) as UiResults;
  } catch {
    console.log(`ui tests: the ${pass} pass left no results in ${results} (the driver did not finish)`);
    return { passed: 0, failed: 1, failures: [{ title: `the ${pass} pass`, error: 'the driver left no results' }] };
  } finally {
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  }
}

async function main(): Promise<number> {
  const vsix = packageForThisMachine();
  console.log(`ui tests: installing ${path.relative(REPO_ROOT, vsix)} into the VS Code under test`);
  const results = path.resolve(process.env.MODELDEPLOY_TEST_RESULTS || path.join(os.tmpdir(), 'modeldeploy-ui-tests.json'));
  fs.rmSync(results, { force: true });
  const workspace = makeTestWorkspace();
  // A name of its own for the iris copy, so that the images and containers this run makes are its alone;
  // the workflow starts from the earlier model, 1.0.0, and moves to 2.0.0 on the way.
  const iris = `ui-iris-${randomBytes(4).toString('hex')}`;
  setConfig(path.join(workspace, 'iris'), { name: iris, version: '1.0.0', model: 'model/iris-v1.onnx' });
  let counts: UiResults = { passed: 0, failed: 0, failures: [] };
  try {
    for (const pass of ['workflow', 'restricted'] as const) {
      const made = drivePass(vsix, workspace, iris, pass);
      counts = { passed: counts.passed + made.passed, failed: counts.failed + made.failed, failures: [...counts.failures, ...made.failures] };
    }
  } finally {
    await removeEnvironments(iris).catch((error: Error) => console.log(`ui tests: could not remove ${iris}'s images, containers and networks: ${error.message}`));
    fs.rmSync(workspace, { recursive: true, force: true, maxRetries: 3 });
  }
  const demoProblem = await checkDemoVscode();
  console.log(`${demoProblem ? '  ✗' : '  ✔'} npm run demo:vscode serves the example in VS Code with the packaged extension, and Ctrl-C stops it${demoProblem ? `: ${demoProblem}` : ''}`);
  counts = demoProblem
    ? { passed: counts.passed, failed: counts.failed + 1, failures: [...counts.failures, { title: 'npm run demo:vscode', error: demoProblem }] }
    : { ...counts, passed: counts.passed + 1 };
  fs.writeFileSync(results, `${JSON.stringify(counts)}\n`);
  console.log(`ui tests: ${counts.passed} passed, ${counts.failed} failed`);
  return counts.failed ? 1 : 0;
}

void main().then((code) => process.exit(code));
