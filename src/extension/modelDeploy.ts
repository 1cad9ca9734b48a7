import * as vscode from 'vscode';
import { commandTable, runCommand } from './commandTable';
import { Config } from './config';
import { ConfigDiagnostics } from './configDiagnostics';
import { RegistryLogins } from './deployPorts';
import { EngineState } from './engineState';
import { DiffPanel } from './diffPanel';
import { EnvironmentStore } from './environmentStore';
import { LiveMetricsPanel } from './liveMetricsPanel';
import { LiveMetricsStore } from './liveMetricsStore';
import { log } from './log';
import { ProjectStore } from './projectStore';
import { ReportDocuments } from './reportDocuments';
import { StatusBar } from './statusBar';
import type { ProjectNode } from './tree/projectNodes';
import { ProjectTreeProvider } from './tree/projectTreeProvider';

/** The extension's parts, once loaded: what the activation shell forwards to, and what the extension tests look into. */
export interface ModelDeployApi {
  store: ProjectStore;
  engine: EngineState;
  tree: ProjectTreeProvider;
  statusBar: StatusBar;
  environments: EnvironmentStore;
  live: LiveMetricsStore;
  /** Runs a command of the table inside the error boundary; undefined when it failed or was cancelled. */
  runCommand(id: string, arg?: unknown): Promise<unknown>;
}

/**
 * Builds every part and registers its disposables in the extension's context. The activation shell
 * (extension.ts) calls this on first need, with the `performance.now()` of its activation and of the
 * moment it began loading this bundle, and the tree view it owns (with the command registrations).
 */
export function startModelDeploy(context: vscode.ExtensionContext, view: vscode.TreeView<ProjectNode>, times: { activated: number; loading: number }): ModelDeployApi {
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
  const live = add(new LiveMetricsStore(store, environments, () => engine.engine()));
  add(live.holdWhileVisible(view));
  const tree = add(new ProjectTreeProvider(store, engine, environments, live));
  add(new ConfigDiagnostics(store));
  const statusBar = add(new StatusBar(store, engine, config, environments, live));
  const reports = add(new ReportDocuments());
  add({ dispose: () => DiffPanel.panels.forEach((panel) => panel.dispose()) });
  add({ dispose: () => LiveMetricsPanel.panels.forEach((panel) => panel.dispose()) });
  const services = { config, store, engine, statusBar, reports, environments, live, logins, extensionUri: context.extensionUri };
  void store.ready();
  const now = performance.now();
  log.info(`Model Deploy ${context.extension.packageJSON.version} started ${Math.round(now - times.activated)} ms after activation (${Math.round(now - times.loading)} ms loading and starting its parts), ${Object.keys(commandTable).length} commands`);
  return { store, engine, tree, statusBar, environments, live, runCommand: (id, arg) => runCommand(services, id, arg) };
}
