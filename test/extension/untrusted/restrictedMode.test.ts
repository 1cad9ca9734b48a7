import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelDeployApi } from '../../../src/extension/modelDeploy';
import { containersOf, imagesOf, removeProjectResources, setConfig } from '../../integration/engineFixture';
import { activateExtension, renderedChildren, stubWindow, waitFor, workspaceDir } from '../suite/helpers';

// This pass runs in a workspace that VS Code opened in restricted mode (Workspace Trust on, the folder never
// trusted): what a user gets on opening a folder they do not know.
describe('an untrusted workspace (restricted mode)', function () {
  this.timeout(120_000);
  const name = `untrusted-iris-${randomBytes(4).toString('hex')}`;
  const dir = path.join(workspaceDir(), name);
  let api: ModelDeployApi;

  const project = async () => waitFor(`the ${name} project in the tree`, async () => (await renderedChildren(api)).find((p) => p.label === name));
  const engineResources = async () => [...(await containersOf(name)), ...(await imagesOf(name))].map((resource) => resource.Id);

  before(async () => {
    fs.cpSync(path.join(workspaceDir(), 'iris'), dir, { recursive: true, filter: (file) => !file.includes(`${path.sep}.modeldeploy`) });
    setConfig(dir, { name });
    api = await activateExtension();
    await api.store.refresh();
    await project();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeProjectResources(name);
  });

  it('is really untrusted: VS Code says so, and the extension is active in it', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    assert.equal(vscode.extensions.getExtension('modeldeploy.model-deploy')?.isActive, true);
  });

  it('inspecting is allowed: the tree shows the model\'s inputs, and Inspect Model opens its report', async () => {
    const children = await renderedChildren(api, (await project()).node);
    const tensors = await renderedChildren(api, children.find((c) => c.label === 'Model')!.node);
    assert.ok(tensors.some((t) => t.label === 'float_input'), `tensors: ${tensors.map((t) => t.label).join(', ')}`);
    await vscode.commands.executeCommand('modelDeploy.inspectModel', (await project()).node);
    await waitFor('the report editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'modeldeploy-report'));
  });

  for (const [command, action] of [
    ['modelDeploy.buildImage', 'Building an image'],
    ['modelDeploy.runLocally', 'Running an image'],
    ['modelDeploy.testPrediction', 'Test prediction'],
    ['modelDeploy.deployToEnvironment', 'Deploying'],
    ['modelDeploy.promote', 'Promoting'],
    ['modelDeploy.rollBack', 'Rolling back'],
  ]) {
    it(`${command} does nothing but say why: no image, no container, one error naming Workspace Trust`, async () => {
      const before = await engineResources();
      const shown: string[] = [];
      const restore = stubWindow('showErrorMessage', ((message: string) => {
        shown.push(message);
        return Promise.resolve(undefined);
      }) as never);
      try {
        assert.equal(await vscode.commands.executeCommand(command, (await project()).node), undefined);
      } finally {
        restore();
      }
      assert.deepEqual(shown.length, 1, `messages: ${shown.join(' | ')}`);
      assert.match(shown[0], new RegExp(`${action} is disabled in an untrusted workspace.*Manage Workspace Trust`, 's'));
      assert.deepEqual(await engineResources(), before);
    });
  }
});
