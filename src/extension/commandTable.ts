import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError, UserError } from '../core/errors';
import { initProject } from '../core/project/initProject';
import { CONFIG_FILE_NAME } from '../core/project/projectConfig';
import { formatModelInfo } from '../core/report/modelReport';
import { formatValidationReport } from '../core/report/validationReport';
import { validateProject } from '../core/validation/validateProject';
import { runInWorker } from '../core/worker/runInWorker';
import { compareMetricsCommand, deployToEnvironmentCommand, promoteCommand, rollBackCommand, rollBackHereCommand } from './deployCommands';
import type { RegistryLogins } from './deployPorts';
import type { Config } from './config';
import type { EngineState } from './engineState';
import type { EnvironmentStore } from './environmentStore';
import type { LiveMetricsStore } from './liveMetricsStore';
import { runGuarded } from './errorBoundary';
import { buildImageCommand, ejectDockerfileCommand, runLocallyCommand, sendPredictionCommand, showContainerLogsCommand, stopContainerCommand, testPredictionCommand } from './imageCommands';
import { showLiveMetricsCommand } from './liveMetricsCommand';
import { log } from './log';
import { withCancellableProgress } from './progress';
import type { ProjectEntry, ProjectStore } from './projectStore';
import { registryLoginCommand, registryLogoutCommand } from './registryCommands';
import type { ReportDocuments } from './reportDocuments';
import { requireConfig, resolveProject } from './resolveProject';
import type { StatusBar } from './statusBar';

/** What command handlers work with; built once in activate(). */
export interface CommandServices {
  config: Config;
  store: ProjectStore;
  engine: EngineState;
  statusBar: StatusBar;
  reports: ReportDocuments;
  environments: EnvironmentStore;
  /** Live metrics of the serving environments, scraped while a view holds them. */
  live: LiveMetricsStore;
  /** Registry logins in secret storage; `logins.credentials` chains Docker's config after them. */
  logins: RegistryLogins;
  /** Where the extension's media and bundles are (webviews load from there). */
  extensionUri: vscode.Uri;
}

type Handler = (services: CommandServices, arg?: unknown) => Promise<unknown>;

/** Every command of the extension, by id; each handler is thin and calls a core use-case. */
export const commandTable: Record<string, Handler> = {
  'modelDeploy.initProject': initProjectCommand,
  'modelDeploy.inspectModel': inspectModelCommand,
  'modelDeploy.validate': validateCommand,
  'modelDeploy.buildImage': buildImageCommand,
  'modelDeploy.runLocally': runLocallyCommand,
  'modelDeploy.testPrediction': testPredictionCommand,
  'modelDeploy.sendPrediction': sendPredictionCommand,
  'modelDeploy.stopContainer': stopContainerCommand,
  'modelDeploy.showContainerLogs': showContainerLogsCommand,
  'modelDeploy.ejectDockerfile': ejectDockerfileCommand,
  'modelDeploy.deployToEnvironment': deployToEnvironmentCommand,
  'modelDeploy.compareMetrics': compareMetricsCommand,
  'modelDeploy.promote': promoteCommand,
  'modelDeploy.rollBack': rollBackCommand,
  'modelDeploy.rollBackHere': rollBackHereCommand,
  'modelDeploy.showLiveMetrics': showLiveMetricsCommand,
  'modelDeploy.registryLogin': registryLoginCommand,
  'modelDeploy.registryLogout': registryLogoutCommand,
  'modelDeploy.refresh': async ({ store, engine, environments }) => {
    engine.reload();
    environments.reload();
    await store.refresh();
  },
  'modelDeploy.showLogs': async () => log.show(),
  'modelDeploy.openConfig': async (services, arg) => {
    const entry = await resolveProject(services.store, services.statusBar, arg);
    await vscode.window.showTextDocument(vscode.Uri.file(entry.configFile));
  },
  'modelDeploy.showActions': showActionsCommand,
};

/** Runs one command of the table inside the one error boundary and returns its handler's result. */
export function runCommand(services: CommandServices, id: string, arg?: unknown): Promise<unknown> {
  const handler = commandTable[id];
  return runGuarded(id, () => (handler ? handler(services, arg) : Promise.reject(new Error(`no command ${id} in the command table`))));
}

async function initProjectCommand(services: CommandServices, arg?: unknown): Promise<void> {
  const model = arg instanceof vscode.Uri && arg.fsPath.toLowerCase().endsWith('.onnx') ? arg.fsPath : await pickModelWithoutProject(services);
  const result = await withCancellableProgress('Model Deploy: reading the model', (signal) => initProject(path.dirname(model), model, signal));
  log.info(`wrote ${result.configFile} (task ${result.task})`);
  await services.store.refresh();
  await vscode.window.showTextDocument(vscode.Uri.file(result.configFile));
}

/** .onnx files of the workspace whose folder has no project yet. */
async function pickModelWithoutProject(services: CommandServices): Promise<string> {
  await services.store.ready();
  const files = (await vscode.workspace.findFiles('**/*.onnx', '**/{node_modules,.git,.modeldeploy}/**', 200)).map((u) => u.fsPath);
  const candidates = files.filter((f) => !services.store.projectOf(f)).sort();
  if (candidates.length === 0) {
    throw new UserError(files.length ? 'every .onnx model in the workspace already belongs to a project' : 'there is no .onnx model in this workspace', undefined, 'add an exported .onnx model to a folder of the workspace');
  }
  if (candidates.length === 1) return candidates[0];
  const picked = await vscode.window.showQuickPick(
    candidates.map((file) => ({ label: path.basename(file), description: vscode.workspace.asRelativePath(path.dirname(file)), file })),
    { placeHolder: `Choose the model; ${CONFIG_FILE_NAME} is written next to it` },
  );
  if (!picked) throw new CancelledError();
  return picked.file;
}

async function inspectModelCommand(services: CommandServices, arg?: unknown): Promise<void> {
  const entry = await resolveProject(services.store, services.statusBar, arg);
  const config = requireConfig(entry);
  services.store.setActivity(entry, 'inspecting');
  try {
    const info = await withCancellableProgress(`Model Deploy: inspecting ${entry.name}`, (signal) => runInWorker('inspect', { file: config.model }, { signal }));
    const text = formatModelInfo({ ...info, file: vscode.workspace.asRelativePath(info.file) });
    log.block(text);
    await services.reports.show(`${entry.name} model.txt`, text);
  } finally {
    services.store.setActivity(entry, undefined);
  }
}

async function validateCommand(services: CommandServices, arg?: unknown): Promise<void> {
  const entry = await resolveProject(services.store, services.statusBar, arg);
  const config = requireConfig(entry);
  services.store.setActivity(entry, 'validating');
  try {
    const report = await withCancellableProgress(`Model Deploy: validating ${entry.name} ${config.version}`, (signal, progress) =>
      validateProject(config, { signal, onProgress: (p) => progress(`${p.rows} rows`) }),
    );
    const text = formatValidationReport(report);
    log.block(text);
    await services.store.refresh();
    const summary = Object.entries(report.metrics)
      .slice(0, 3)
      .map(([name, value]) => `${name} ${value.toFixed(4)}`)
      .join(', ');
    void vscode.window.showInformationMessage(`Model Deploy: ${entry.name} ${config.version} validated on ${report.rows} rows: ${summary}`, 'Open Report').then((choice) => {
      if (choice) void services.reports.show(`${entry.name} ${config.version} validation.txt`, text);
    });
  } finally {
    services.store.setActivity(entry, undefined);
  }
}

interface Step {
  label: string;
  command: string;
  detail?: string;
  /** What the command is invoked with; the project by default. */
  arg?: unknown;
}

/** The deploy steps that make sense now: deploy the candidate, promote what staging runs, roll back. */
async function deploySteps(services: CommandServices, entry: ProjectEntry, built: boolean): Promise<{ first: Step[]; later: Step[] }> {
  const config = entry.config!;
  const views = await services.environments.environments(config);
  const first: Step[] = [];
  const later: Step[] = [];
  const target = config.environments[0]?.name;
  // Validated: the stored metrics are this version's (a project without a validation set has none to wait for).
  const validated = !config.validation || entry.metrics?.version === config.version;
  if (target && built) {
    const runs = views.find((v) => v.name === target)?.status?.current;
    const step = { label: `$(rocket) Deploy to ${target}`, command: 'modelDeploy.deployToEnvironment', detail: `compare ${config.version} with ${runs ? runs.version : 'nothing deployed'}, then deploy`, arg: { entry, environment: target } };
    (validated ? first : later).push(step);
  }
  const staging = views.find((v) => v.name === 'staging')?.status?.current;
  const production = views.find((v) => v.name === 'production');
  if (staging && production?.status && production.status.current?.digest !== staging.digest) {
    first.push({ label: '$(arrow-circle-up) Promote Staging to Production', command: 'modelDeploy.promote', detail: `production runs ${production.status.current?.version ?? 'nothing'}; staging runs ${staging.version}` });
  }
  if (views.some((v) => v.history?.some((h) => !h.current && h.digest !== v.status?.current?.digest))) first.push({ label: '$(discard) Roll Back...', command: 'modelDeploy.rollBack', detail: 'put an environment back on an earlier version from its history' });
  return { first, later };
}

/** The status-bar button's menu: the steps that make sense for the active project now. */
async function showActionsCommand(services: CommandServices): Promise<Step | undefined> {
  await services.store.ready();
  const entry = services.store.projects.length ? await resolveProject(services.store, services.statusBar, undefined) : undefined;
  const steps: Step[] = [];
  if (!entry) steps.push({ label: '$(add) Initialize Project', command: 'modelDeploy.initProject', detail: 'write a modeldeploy.yaml next to an .onnx model' });
  else if (!entry.config) steps.push({ label: '$(error) Fix the config', command: 'modelDeploy.openConfig', detail: `${entry.problems.length} problem(s) in ${CONFIG_FILE_NAME}` });
  else {
    const engine = await services.engine.resources(entry.config);
    const running = 'containers' in engine ? engine.containers.find((c) => c.port) : undefined;
    const built = 'images' in engine && engine.images.some((i) => i.tags.includes(`${entry.name}:${entry.version}`));
    const deploy = await deploySteps(services, entry, built);
    steps.push(...deploy.first);
    if (running) {
      steps.push({ label: '$(play-circle) Test Prediction', command: 'modelDeploy.testPrediction', detail: `send a request to ${running.url} and check it against in-process onnxruntime` });
      steps.push({ label: '$(debug-stop) Stop Container', command: 'modelDeploy.stopContainer', detail: `${running.name} on :${running.port}` });
    }
    if (entry.config.validation) steps.push({ label: '$(beaker) Validate', command: 'modelDeploy.validate', detail: entry.metrics ? 'score again on the validation set' : 'score the model on its validation set' });
    steps.push({ label: '$(package) Build Image', command: 'modelDeploy.buildImage', detail: `${entry.name}:${entry.version}${built ? ' (built; build again)' : ''}` });
    if (built && !running) steps.push({ label: '$(play) Run Locally', command: 'modelDeploy.runLocally', detail: 'start it on 127.0.0.1 and wait until ready' });
    steps.push(...deploy.later);
    steps.push({ label: '$(search) Inspect Model', command: 'modelDeploy.inspectModel', detail: 'inputs, outputs, producer, size, sha256' });
    steps.push({ label: '$(go-to-file) Open Config', command: 'modelDeploy.openConfig' });
  }
  steps.push({ label: '$(output) Show Logs', command: 'modelDeploy.showLogs' });
  const picked = await vscode.window.showQuickPick(steps, { placeHolder: entry ? `${entry.name} ${entry.version ?? ''}: next step` : 'Model Deploy' });
  if (picked) await vscode.commands.executeCommand(picked.command, picked.arg ?? (entry ? { entry } : undefined));
  return picked;
}
