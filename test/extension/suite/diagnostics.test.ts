import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, waitFor, workspaceDir } from './helpers';

describe('config diagnostics', function () {
  this.timeout(30_000);

  it('reports a saved config\'s problems in the Problems panel', async () => {
    await activateExtension();
    const broken = vscode.Uri.file(path.join(workspaceDir(), 'broken', 'modeldeploy.yaml'));
    const diagnostics = await waitFor('diagnostics of the broken project', () => vscode.languages.getDiagnostics(broken).length > 0 && vscode.languages.getDiagnostics(broken));
    assert.equal(diagnostics.length, 1);
    assert.match(diagnostics[0].message, /unknown key "modle".*did you mean "model"/);
    assert.equal(diagnostics[0].range.start.line, 2);
    assert.equal(diagnostics[0].severity, vscode.DiagnosticSeverity.Error);
    assert.equal(diagnostics[0].source, 'Model Deploy');
  });

  it('updates the problems as the file is edited, before it is saved', async () => {
    await activateExtension();
    const uri = vscode.Uri.file(path.join(workspaceDir(), 'iris', 'modeldeploy.yaml'));
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const line = document.getText().split('\n').findIndex((l) => l.startsWith('task:'));
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(line, 0, line, 5), 'tsk:');
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      const found = await waitFor('a diagnostic for the typo', () => vscode.languages.getDiagnostics(uri).find((d) => d.message.includes('unknown key "tsk"')));
      assert.equal(found.range.start.line, line);
      assert.match(found.message, /did you mean "task"/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await waitFor('the diagnostics to clear after the revert', () => vscode.languages.getDiagnostics(uri).length === 0);
  });
});
