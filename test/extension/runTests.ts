// Runs the extension-host tests (test/extension/suite) in a real VS Code with @vscode/test-electron.
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
import { RESULTS_ENV, type TestResults } from './suite/index';

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

async function main(): Promise<number> {
  const resultsFile = path.resolve(process.env[RESULTS_ENV] || path.join(os.tmpdir(), 'modeldeploy-extension-tests.json'));
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
      extensionTestsEnv: { [RESULTS_ENV]: resultsFile, ORT_DISABLE_TELEMETRY: '1' },
    };
    if (vscode.kind === 'code-server') {
      console.log(`extension tests: in code-server (${path.relative(repoRoot, launcher)}), workspace ${workspace}`);
      // The executable bit can be lost (archives, some checkouts); the launcher has to be executable.
      if ((fs.statSync(launcher).mode & 0o111) === 0) fs.chmodSync(launcher, 0o755);
      await runTests({ ...options, vscodeExecutablePath: launcher });
    } else {
      console.log(`extension tests: in VS Code ${vscode.version} (downloaded by @vscode/test-electron), workspace ${workspace}`);
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
    console.error(`extension tests: the run failed: ${runError instanceof Error ? runError.message : String(runError)}`);
    if (vscode.kind === 'download') {
      console.error('extension tests: without internet, install code-server with "bash scripts/provision/vscode.sh" and run again');
    }
  }
  if (!results) {
    console.log(`extension tests: no results in ${resultsFile} (the test runner did not finish)`);
    console.log('extension tests: 0 passed, 1 failed');
    return 1;
  }
  for (const failure of results.failures) console.log(`  failed: ${failure.title}: ${failure.error.split('\n')[0]}`);
  console.log(`extension tests: ${results.passed} passed, ${results.failed} failed`);
  return runError || results.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
