import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, waitFor, workspaceDir } from './helpers';

describe('the status-bar button', () => {
  it('names the project of the active editor and its version', async () => {
    const api = await activateExtension();
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(workspaceDir(), 'iris', 'modeldeploy.yaml')));
    const text = await waitFor('the iris project in the status bar', () => api.statusBar.text.includes('iris-classifier') && api.statusBar.text);
    assert.match(text, /^\$\(rocket\) iris-classifier 2\.0\.0/);
  });

  it('shows config errors for a broken project', async () => {
    const api = await activateExtension();
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(workspaceDir(), 'broken', 'modeldeploy.yaml')));
    const text = await waitFor('the broken project in the status bar', () => api.statusBar.text.includes('config errors') && api.statusBar.text);
    assert.match(text, /^\$\(error\) .+: config errors$/);
  });

  it('keeps the last project when its editor closes', async () => {
    const api = await activateExtension();
    // Editors other tests left open would each become active in turn as they close.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(workspaceDir(), 'iris', 'modeldeploy.yaml')));
    await waitFor('the iris project', () => api.statusBar.text.includes('iris-classifier'));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.match(api.statusBar.text, /iris-classifier 2\.0\.0/);
  });
});

