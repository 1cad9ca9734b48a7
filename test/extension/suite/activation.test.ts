import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, EXTENSION_ID, renderedChildren } from './helpers';

describe('activation', function () {
  this.timeout(60_000);

  it('loads the extension under development and activates it', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is loaded in the extension host`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('registers the Inspect Model command', async () => {
    await activateExtension();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('modelDeploy.inspectModel'), 'modelDeploy.inspectModel is registered');
  });

  it('never loads onnxruntime on the extension host\'s thread, even after inspecting models', async () => {
    const api = await activateExtension();
    // Expanding a model node inspects it (on a worker thread).
    for (const project of await renderedChildren(api)) {
      for (const child of await renderedChildren(api, project.node)) if (child.label === 'Model') await renderedChildren(api, child.node);
    }
    const loaded = Object.keys(require.cache).filter((file) => file.includes('onnxruntime'));
    assert.deepEqual(loaded, []);
  });
});
