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

  it('disables building, running, test predictions and deploys in an untrusted workspace', () => {
    const declared = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands as { command: string; enablement?: string }[];
    const trustedOnly = declared.filter((c) => c.enablement === 'isWorkspaceTrusted').map((c) => c.command);
    assert.deepEqual(trustedOnly.sort(), ['modelDeploy.buildImage', 'modelDeploy.deployToEnvironment', 'modelDeploy.promote', 'modelDeploy.rollBack', 'modelDeploy.rollBackHere', 'modelDeploy.runLocally', 'modelDeploy.sendPrediction', 'modelDeploy.testPrediction']);
    assert.equal(declared.find((c) => c.command === 'modelDeploy.inspectModel')?.enablement, undefined, 'inspecting stays allowed');
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
