// Runs the extension-host tests in a real VS Code with @vscode/test-electron: test/extension/suite in a
// trusted workspace, then test/extension/untrusted in one that is not (restricted mode).
//
// Which VS Code, by MODELDEPLOY_VSCODE:
//   code-server         code-server from scripts/provision/vscode.sh, in headless Chromium, through
//                       scripts/vscode-launcher/code (works offline)
//   stable | insiders | 1.95.0 ...
//                       VS Code's desktop build, downloaded by test-electron
//   unset               code-server when vscode.sh has installed it, otherwise the stable download
// Other settings: MODELDEPLOY_TEST_RESULTS (where the JSON summary goes), MODELDEPLOY_TEST_WORKSPACE (the
// folder or .code-workspace file to open, default a temporary copy of examples/ and test/extension/fixtures/),
// MODELDEPLOY_TEST_GREP (run only matching tests).
// Ends with "extension tests: N passed, N failed" and exits non-zero when a test failed or the run broke.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { makeTestWorkspace } from '../support/testWorkspace';
import { RESULTS_ENV, SUITE_ENV, type TestResults } from './suite/index';

const repoRoot = path.resolve(__dirname, '../../..');
const launcher = path.join(repoRoot, 'scripts/vscode-launcher/code');
const cacheDir = path.join(process.env.MODELDEPLOY_CACHE || path.join(os.homedir(), '.cache', 'modeldeploy'), 'vscode');
const codeServerEntry = path.join(cacheDir, 'code-server/node_modules/code-server/out/node/entry.js');

function chooseVSCode(): { kind: 'code-server' } | { kind: 'download'; version: string } {
  const wanted = process.env.MODELDEPLOY_VSCODE?.trim();
  if (wanted === 'code-server') return { kind: 'code-server' };
  if (wanted) return { kind: 'download', version: wanted };
  return fs.existsSync(codeServerEntry) ? { kind: 'code-server' } : { kind: 'download', version: 'stable' };
}

function readResults(file: string): TestResults | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as TestResults;
  } catch {
    return undefined;
  }
}

/** Where a pass's summary goes: the results file, or a sibling of it named after the pass. */
function passResults(resultsFile: string, suite: string): string {
  return suite === 'suite' ? resultsFile : resultsFile.replace(/(\.json)?$/, `.${suite}.json`);
}

/**
 * One pass of the tests in out/test/extension/<suite> over a fresh workspace and profile; `untrusted` opens the
 * workspace in restricted mode (code-server only: test-electron's own runs always disable Workspace Trust).
 */
async function runPass(suite: 'suite' | 'untrusted', resultsFile: string): Promise<{ results?: TestResults; error?: unknown }> {
  fs.rmSync(resultsFile, { force: true });
  const workspace = process.env.MODELDEPLOY_TEST_WORKSPACE ? path.resolve(process.env.MODELDEPLOY_TEST_WORKSPACE) : makeTestWorkspace();
  // A fresh profile for every run: no settings, state or extensions left over from an earlier one.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-vscode-'));
  const vscode = chooseVSCode();
  let runError: unknown;
  try {
    const options = {
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(__dirname, 'suite', 'index.js'),
      launchArgs: [workspace, '--disable-extensions', `--user-data-dir=${path.join(profile, 'user-data')}`, `--extensions-dir=${path.join(profile, 'extensions')}`],
      extensionTestsEnv: { [RESULTS_ENV]: resultsFile, [SUITE_ENV]: suite, ORT_DISABLE_TELEMETRY: '1', ...(suite === 'untrusted' ? { MODELDEPLOY_VSCODE_WORKSPACE_TRUST: 'untrusted' } : {}) },
    };
    if (vscode.kind === 'code-server') {
      console.log(`extension tests (${suite}): in code-server (${path.relative(repoRoot, launcher)}), workspace ${workspace}`);
      // The executable bit can be lost (archives, some checkouts); the launcher has to be executable.
      if ((fs.statSync(launcher).mode & 0o111) === 0) fs.chmodSync(launcher, 0o755);
      await runTests({ ...options, vscodeExecutablePath: launcher });
    } else {
      console.log(`extension tests (${suite}): in VS Code ${vscode.version} (downloaded by @vscode/test-electron), workspace ${workspace}`);
      await runTests({ ...options, version: vscode.version });
    }
  } catch (error) {
    runError = error;
  } finally {
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    if (!process.env.MODELDEPLOY_TEST_WORKSPACE) fs.rmSync(workspace, { recursive: true, force: true, maxRetries: 3 });
  }
  const results = readResults(resultsFile);
  if (runError && !results) {
    console.error(`extension tests (${suite}): the run failed: ${runError instanceof Error ? runError.message : String(runError)}`);
    if (vscode.kind === 'download') console.error('extension tests: without internet, install code-server with "bash scripts/provision/vscode.sh" and run again');
  }
  if (!results) console.log(`extension tests (${suite}): no results in ${resultsFile} (the test runner did not finish)`);
  return { results, error: runError };
}

async function main(): Promise<number> {
  const resultsFile = path.resolve(process.env[RESULTS_ENV] || path.join(os.tmpdir(), 'modeldeploy-extension-tests.json'));
  const passes: ('suite' | 'untrusted')[] = ['suite'];
  if (chooseVSCode().kind === 'code-server') passes.push('untrusted');
  else console.log('extension tests: the restricted-mode pass (test/extension/untrusted) runs in code-server only, since test-electron always disables Workspace Trust');
  const total: TestResults = { passed: 0, failed: 0, pending: 0, failures: [] };
  let broken = false;
  for (const suite of passes) {
    const { results, error } = await runPass(suite, passResults(resultsFile, suite));
    if (!results) {
      total.failed += 1;
      total.failures.push({ title: `the ${suite} pass`, error: 'the test runner did not finish' });
      continue;
    }
    broken ||= Boolean(error);
    total.passed += results.passed;
    total.failed += results.failed;
    total.pending += results.pending;
    total.failures.push(...results.failures);
  }
  // The summary the tier scripts read covers both passes.
  fs.writeFileSync(resultsFile, `${JSON.stringify(total, null, 2)}\n`);
  for (const failure of total.failures) console.log(`  failed: ${failure.title}: ${failure.error.split('\n')[0]}`);
  console.log(`extension tests: ${total.passed} passed, ${total.failed} failed`);
  return broken || total.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
