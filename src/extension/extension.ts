import * as vscode from 'vscode';
import { registerCommands } from './commandTable';
import { Config } from './config';
import { ConfigDiagnostics } from './configDiagnostics';
import { RegistryLogins } from './deployPorts';
import { EngineState } from './engineState';
import { DiffPanel } from './diffPanel';
import { EnvironmentStore } from './environmentStore';
import { log } from './log';
import { ProjectStore } from './projectStore';
import { ReportDocuments } from './reportDocuments';
import { StatusBar } from './statusBar';
import { ProjectTreeProvider } from './tree/projectTreeProvider';

/** What activate() hands back: the parts the extension tests look into. */
export interface ModelDeployApi {
  store: ProjectStore;
  engine: EngineState;
  tree: ProjectTreeProvider;
  statusBar: StatusBar;
  environments: EnvironmentStore;
}

/** Wires the parts together and registers every disposable; nothing heavy (no native module) loads here. */
export function activate(context: vscode.ExtensionContext): ModelDeployApi {
  const add = <T extends vscode.Disposable>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };
  add(log.init(vscode.window.createOutputChannel('Model Deploy', { log: true })));
  const config = add(new Config());
  const store = add(new ProjectStore(config));
  const engine = add(new EngineState());
  const logins = add(new RegistryLogins(context.secrets, context.globalState));
  const environments = add(new EnvironmentStore(engine, logins.credentials, logins.onDidChange));
  const tree = add(new ProjectTreeProvider(store, engine, environments));
  add(vscode.window.createTreeView('modelDeploy.projects', { treeDataProvider: tree, showCollapseAll: true }));
  add(new ConfigDiagnostics(store));
  const statusBar = add(new StatusBar(store, engine, config, environments));
  const reports = add(new ReportDocuments());
  registerCommands({ config, store, engine, statusBar, reports, environments, logins, extensionUri: context.extensionUri }).forEach(add);
  add({ dispose: () => DiffPanel.panels.forEach((panel) => panel.dispose()) });
  void store.ready();
  log.info(`Model Deploy ${context.extension.packageJSON.version} activated`);
  return { store, engine, tree, statusBar, environments };
}

export function deactivate(): void {}
