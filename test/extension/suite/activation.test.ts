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

  it('never loads onnxruntime on the extension host\'s thread, even after inspecting models', async () => {
    const api = await activateExtension();
    // Expanding a model node inspects it (on a worker thread).
    const inspected: string[] = [];
    for (const project of await renderedChildren(api)) {
      for (const child of await renderedChildren(api, project.node)) {
        if (child.label === 'Model') inspected.push(...(await renderedChildren(api, child.node)).filter((t) => t.contextValue === 'tensor.input').map((t) => t.label));
      }
    }
    assert.ok(inspected.includes('float_input'), `the models were inspected: their inputs are ${inspected.join(', ')}`);
    const loaded = Object.keys(require.cache).filter((file) => file.includes('onnxruntime'));
    assert.deepEqual(loaded, []);
  });
});
