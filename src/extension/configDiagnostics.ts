import * as path from 'node:path';
import * as vscode from 'vscode';
import { checkProjectConfig } from '../core/project/checkProjectConfig';
import type { ConfigProblem } from '../core/project/configProblem';
import { CONFIG_FILE_NAME } from '../core/project/projectConfig';
import { Disposable } from './disposable';
import { log } from './log';
import type { ProjectStore } from './projectStore';

const CHECK_DELAY_MS = 200;

/**
 * The config's problems in the Problems panel: from disk for every project, and from the editor's text
 * while a modeldeploy.yaml is being edited (before it is saved).
 */
export class ConfigDiagnostics extends Disposable {
  private readonly collection = this.register(vscode.languages.createDiagnosticCollection('modelDeploy'));
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(private readonly store: ProjectStore) {
    super();
    this.register(store.onDidChange(() => this.showStored()));
    this.register(vscode.workspace.onDidChangeTextDocument((e) => this.scheduleCheck(e.document)));
    this.register(vscode.workspace.onDidOpenTextDocument((d) => this.scheduleCheck(d)));
    this.register({ dispose: () => this.pending.forEach((t) => clearTimeout(t)) });
    vscode.workspace.textDocuments.forEach((d) => this.scheduleCheck(d));
  }

  private showStored(): void {
    for (const entry of this.store.projects) {
      const uri = vscode.Uri.file(entry.configFile);
      // An open, edited document has fresher problems than the file on disk.
      if (!vscode.workspace.textDocuments.some((d) => d.uri.fsPath === uri.fsPath && d.isDirty)) this.collection.set(uri, entry.problems.map(toDiagnostic));
    }
  }

  private scheduleCheck(document: vscode.TextDocument): void {
    if (document.uri.scheme !== 'file' || path.basename(document.uri.fsPath) !== CONFIG_FILE_NAME) return;
    const key = document.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        this.collection.set(document.uri, problemsOf(document).map(toDiagnostic));
      }, CHECK_DELAY_MS),
    );
  }
}

/**
 * The text's problems. The check reports bad input as problems; should it throw all the same, the
 * timer would drop the error silently, so it is logged and shown on the first line instead.
 */
function problemsOf(document: vscode.TextDocument): ConfigProblem[] {
  try {
    return checkProjectConfig(document.getText(), document.uri.fsPath).problems;
  } catch (error) {
    log.error(`checking ${document.uri.fsPath} failed`, error);
    return [{ severity: 'error', message: `the config could not be checked: ${(error as Error).message}`, hint: 'see the Model Deploy log', line: 1, column: 1, endLine: 1, endColumn: 1 }];
  }
}

export function toDiagnostic(problem: ConfigProblem): vscode.Diagnostic {
  const range = new vscode.Range(problem.line - 1, problem.column - 1, problem.endLine - 1, Math.max(problem.endColumn - 1, problem.column));
  const diagnostic = new vscode.Diagnostic(range, problem.hint ? `${problem.message}. ${problem.hint}` : problem.message, problem.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  diagnostic.source = 'Model Deploy';
  if (problem.field) diagnostic.code = problem.field;
  return diagnostic;
}
