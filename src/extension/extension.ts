import * as vscode from 'vscode';
import type { ModelDeployApi } from './modelDeploy';
import type { ProjectNode } from './tree/projectNodes';

// The activation shell. It imports nothing of the extension but types, so its bundle is a few kilobytes:
// activation only registers the commands and the tree view, and the parts (config reader, stores, tree,
// status bar, commands: modelDeploy.ts, a bundle of its own) load on first need, at the latest once the
// extension host is free again after activation, because the status bar shows the project's state from
// the start.

/** What activate() hands back: the extension's parts, once loaded (the extension tests look into them). */
export interface ModelDeployExports {
  api(): Promise<ModelDeployApi>;
}

export function activate(context: vscode.ExtensionContext): ModelDeployExports {
  const activated = performance.now();
  let parts: Promise<ModelDeployApi> | undefined;
  const treeChanged = new vscode.EventEmitter<ProjectNode | undefined>();
  context.subscriptions.push(treeChanged);
  const tree: vscode.TreeDataProvider<ProjectNode> = {
    onDidChangeTreeData: treeChanged.event,
    getChildren: async (node) => (await api()).tree.getChildren(node),
    getTreeItem: async (node) => (await api()).tree.getTreeItem(node),
  };
  const view = vscode.window.createTreeView('modelDeploy.projects', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(view);
  const api = (): Promise<ModelDeployApi> =>
    (parts ??= new Promise((resolve) => {
      const loading = performance.now();
      // require, not import(): the parts are CommonJS and take `vscode` from the extension host's require.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startModelDeploy } = require('./modelDeploy.js') as typeof import('./modelDeploy');
      const started = startModelDeploy(context, view, { activated, loading });
      context.subscriptions.push(started.tree.onDidChangeTreeData((node) => treeChanged.fire(node)));
      resolve(started);
    }));

  const commands = (context.extension.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands;
  for (const { command } of commands) {
    context.subscriptions.push(vscode.commands.registerCommand(command, async (arg?: unknown) => (await api()).runCommand(command, arg)));
  }
  setImmediate(() => api().catch((error: Error) => void vscode.window.showErrorMessage(`Model Deploy could not start: ${error.message}`)));
  return { api };
}

export function deactivate(): void {}
