import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelDeployExports } from '../../../src/extension/extension';
import type { ModelDeployApi } from '../../../src/extension/modelDeploy';
import type { ProjectNode } from '../../../src/extension/tree/projectNodes';

export const EXTENSION_ID = 'modeldeploy.model-deploy';

export async function activateExtension(): Promise<ModelDeployApi> {
  const extension = vscode.extensions.getExtension<ModelDeployExports>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  const api = await (await extension.activate()).api();
  await api.store.ready();
  return api;
}

/** Polls until `check` returns a value (not undefined/false) or the time runs out. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The rendered label and description of every child of a node, as a person would read the tree. */
export async function renderedChildren(api: ModelDeployApi, node?: ProjectNode): Promise<{ node: ProjectNode; label: string; description: string; contextValue?: string }[]> {
  const children = await api.tree.getChildren(node);
  return children.map((child) => {
    const item = api.tree.getTreeItem(child);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    return { node: child, label, description: String(item.description ?? ''), contextValue: item.contextValue };
  });
}

export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri.fsPath;
}

/**
 * Replaces a `vscode.window` function (a modal, a quick pick) for a test; returns what puts it back. The
 * extension and its tests share one `vscode` object, so the extension's calls reach the stub.
 */
export function stubWindow(name: keyof typeof vscode.window, fake: (...args: never[]) => unknown): () => void {
  const window = vscode.window as unknown as Record<string, unknown>;
  const original = window[name];
  window[name] = fake;
  assert.equal(window[name], fake, `vscode.window.${name} can be replaced`);
  return () => {
    window[name] = original;
  };
}

/** A copy of the workspace's iris project in `dir`, named `name` (its own images and environments), without iris's state. */
export function copyIris(dir: string, name: string): void {
  fs.cpSync(path.join(workspaceDir(), 'iris'), dir, { recursive: true, filter: (file) => !file.includes(`${path.sep}.modeldeploy`) });
  const configFile = path.join(dir, 'modeldeploy.yaml');
  fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace(/^name: .*$/m, `name: ${name}`));
}
