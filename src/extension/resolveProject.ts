import * as vscode from 'vscode';
import { CancelledError, UserError } from '../core/errors';
import { ConfigError } from '../core/project/configProblem';
import type { ProjectConfig } from '../core/project/projectConfig';
import type { ProjectEntry, ProjectStore } from './projectStore';
import type { StatusBar } from './statusBar';

/**
 * The project a command acts on: the tree item it was invoked on, the file it was invoked on, the active
 * project, or the user's pick when the workspace has several.
 */
export async function resolveProject(store: ProjectStore, statusBar: StatusBar, arg: unknown): Promise<ProjectEntry> {
  await store.ready();
  if (isEntryHolder(arg)) return store.find(arg.entry.dir) ?? arg.entry;
  if (arg instanceof vscode.Uri) {
    const owner = store.projectOf(arg.fsPath);
    if (owner) return owner;
  }
  const active = statusBar.activeProject();
  if (active) return active;
  if (store.projects.length === 0) throw new UserError('there is no model project in this workspace', undefined, 'run "Model Deploy: Initialize Project" next to an .onnx model');
  const picked = await vscode.window.showQuickPick(
    store.projects.map((entry) => ({ label: entry.name, description: entry.version, detail: entry.dir, entry })),
    { placeHolder: 'Choose a model project' },
  );
  if (!picked) throw new CancelledError();
  statusBar.remember(picked.entry);
  return picked.entry;
}

/** The project's checked config; a project whose config has errors cannot be acted on. */
export function requireConfig(entry: ProjectEntry): ProjectConfig {
  if (entry.config) return entry.config;
  throw new ConfigError(entry.configFile, entry.problems.filter((p) => p.severity === 'error'));
}

function isEntryHolder(value: unknown): value is { entry: ProjectEntry } {
  return typeof value === 'object' && value !== null && 'entry' in value && typeof (value as { entry: unknown }).entry === 'object';
}
