import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startRegistry, type TestRegistry } from '../../integration/registryFixture';
import { activateExtension, stubWindow, waitFor } from './helpers';

/**
 * The user-data folder VS Code was started with: the --user-data-dir of the nearest ancestor process
 * that has one (the extension host's own environment may point TMPDIR and HOME elsewhere).
 */
function userDataDir(): string {
  for (let pid = process.pid; pid > 1; ) {
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const index = args.findIndex((a) => a === '--user-data-dir' || a.startsWith('--user-data-dir='));
    if (index >= 0) return args[index].includes('=') ? args[index].slice('--user-data-dir='.length) : args[index + 1];
    pid = Number(/^PPid:\s+(\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  }
  throw new Error('no process above the extension host was started with --user-data-dir');
}

/** The files of the "Model Deploy" log channel (<user-data>/logs/.../modeldeploy.model-deploy/Model Deploy.log) that hold `marker`. */
function logFilesWith(marker: string): string[] {
  const logs = path.join(userDataDir(), 'logs');
  return fs
    .readdirSync(logs, { recursive: true, encoding: 'utf8' })
    .filter((file) => path.basename(file) === 'Model Deploy.log')
    .map((file) => path.join(logs, file))
    .filter((file) => fs.readFileSync(file, 'utf8').includes(marker));
}

describe('security in VS Code', function () {
  this.timeout(120_000);
  const restores: (() => void)[] = [];
  const stub = (name: keyof typeof vscode.window, fake: (...args: never[]) => unknown) => restores.push(stubWindow(name, fake));

  before(async () => {
    await activateExtension();
  });
  afterEach(() => {
    for (const restore of restores.splice(0).reverse()) restore();
  });

  describe('with a registry that asks for a login', () => {
    const username = `user-${randomBytes(6).toString('hex')}`;
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const wrong = `wrong-${randomBytes(12).toString('hex')}`;
    let registry: TestRegistry;
    const node = () => ({ view: { config: { registry: registry.host } } });

    before(async () => {
      registry = await startRegistry({ auth: { username, password } });
    });
    after(async () => {
      const restore = stubWindow('showInformationMessage', (() => Promise.resolve(undefined)) as never);
      try {
        await vscode.commands.executeCommand('modelDeploy.registryLogout', node());
      } finally {
        restore();
        await registry?.remove();
      }
    });

    it('no password typed into Registry Login reaches the output channel', async () => {
      const shown: string[] = [];
      let attempt = 0;
      stub('showInputBox', ((options: vscode.InputBoxOptions) => Promise.resolve(options.password ? (attempt++ === 0 ? wrong : password) : username)) as never);
      stub('showErrorMessage', ((message: string) => (shown.push(message), Promise.resolve(undefined))) as never);
      stub('showInformationMessage', ((message: string) => (shown.push(message), Promise.resolve(undefined))) as never);

      assert.equal(await vscode.commands.executeCommand('modelDeploy.registryLogin', node()), undefined, 'the wrong password is refused');
      assert.deepEqual(await vscode.commands.executeCommand('modelDeploy.registryLogin', node()), { registry: registry.host, username });

      const success = `logged in to ${registry.host} as ${username}`;
      const [file] = await waitFor('the log channel to hold the login', () => {
        const files = logFilesWith(success);
        return files.length > 0 && files;
      });
      const text = fs.readFileSync(file, 'utf8');
      assert.match(text, new RegExp(`refused the credentials of user '${username}'`), 'the refused attempt is logged too');
      const forms = [password, wrong, ...[password, wrong].map((p) => Buffer.from(`${username}:${p}`).toString('base64'))];
      for (const form of forms) {
        assert.ok(!text.includes(form), `a password in ${file}`);
        assert.ok(!shown.some((m) => m.includes(form)), 'a password in a notification');
      }
    });
  });
});
