import * as vscode from 'vscode';
import { UserError } from '../core/errors';
import type { CommandServices } from './commandTable';
import type { ProjectActivity, ProjectEntry } from './projectStore';

/**
 * A project's Dockerfile runs at build time and its image at run time, and a deploy runs it too: none of
 * them in an untrusted workspace.
 */
export function requireTrust(action: string): void {
  if (!vscode.workspace.isTrusted) throw new UserError(`${action} is disabled in an untrusted workspace`, undefined, 'trust the workspace (Workspaces: Manage Workspace Trust) to build, run and deploy images');
}

/** Runs `work` with the project marked busy, so the tree and the status bar show it; then the views read the engine and the environments again. */
export async function busy<T>(services: CommandServices, entry: ProjectEntry, activity: ProjectActivity, work: () => PromiseLike<T>): Promise<T> {
  services.store.setActivity(entry, activity);
  try {
    return await work();
  } finally {
    services.store.setActivity(entry, undefined);
    services.engine.reload();
    services.environments.reload();
  }
}
