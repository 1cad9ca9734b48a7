import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'modeldeploy.model-deploy';

describe('activation', function () {
  this.timeout(60_000);

  it('loads the extension under development and activates it', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is loaded in the extension host`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('registers the Inspect Model command', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('modelDeploy.inspectModel'), 'modelDeploy.inspectModel is registered');
  });
});
