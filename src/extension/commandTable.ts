import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError, UserError } from '../core/errors';
import { initProject } from '../core/project/initProject';
import { CONFIG_FILE_NAME } from '../core/project/projectConfig';
import { formatModelInfo } from '../core/report/modelReport';
import { formatValidationReport } from '../core/report/validationReport';
import { validateProject } from '../core/validation/validateProject';
import { runInWorker } from '../core/worker/runInWorker';
import type { EngineState } from './engineState';
import { runGuarded } from './errorBoundary';
import { buildImageCommand, ejectDockerfileCommand, runLocallyCommand, sendPredictionCommand, showContainerLogsCommand, stopContainerCommand, testPredictionCommand } from './imageCommands';
import { log } from './log';
import { withCancellableProgress } from './progress';
import type { ProjectStore } from './projectStore';
import type { ReportDocuments } from './reportDocuments';
import { requireConfig, resolveProject } from './resolveProject';
import type { StatusBar } from './statusBar';

/** What command handlers work with; built once in activate(). */
export interface CommandServices {
  store: ProjectStore;
  engine: EngineState;
  statusBar: StatusBar;
  reports: ReportDocuments;
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
  'modelDeploy.refresh': async ({ store, engine }) => {
    engine.reload();
    await store.refresh();
  },
  'modelDeploy.showLogs': async () => log.show(),
  'modelDeploy.openConfig': async (services, arg) => {
    const entry = await resolveProject(services.store, services.statusBar, arg);
    await vscode.window.showTextDocument(vscode.Uri.file(entry.configFile));
  },
  'modelDeploy.showActions': showActionsCommand,
};

/** Registers the table; each command runs inside the one error boundary and returns its handler's result. */
export function registerCommands(services: CommandServices): vscode.Disposable[] {
  return Object.entries(commandTable).map(([id, handler]) => vscode.commands.registerCommand(id, (arg?: unknown) => runGuarded(id, () => handler(services, arg))));
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

/** The status-bar button's menu: the steps that make sense for the active project now. */
async function showActionsCommand(services: CommandServices): Promise<void> {
  await services.store.ready();
  const entry = services.store.projects.length ? await resolveProject(services.store, services.statusBar, undefined) : undefined;
  const steps: { label: string; command: string; detail?: string }[] = [];
  if (!entry) steps.push({ label: '$(add) Initialize Project', command: 'modelDeploy.initProject', detail: 'write a modeldeploy.yaml next to an .onnx model' });
  else if (!entry.config) steps.push({ label: '$(error) Fix the config', command: 'modelDeploy.openConfig', detail: `${entry.problems.length} problem(s) in ${CONFIG_FILE_NAME}` });
  else {
    const engine = services.engine.snapshot(entry.config);
    const running = engine && 'containers' in engine ? engine.containers.find((c) => c.port) : undefined;
    const built = engine && 'images' in engine && engine.images.some((i) => i.tags.includes(`${entry.name}:${entry.version}`));
    if (running) {
      steps.push({ label: '$(play-circle) Test Prediction', command: 'modelDeploy.testPrediction', detail: `send a request to ${running.url} and check it against in-process onnxruntime` });
      steps.push({ label: '$(debug-stop) Stop Container', command: 'modelDeploy.stopContainer', detail: `${running.name} on :${running.port}` });
    }
    if (entry.config.validation) steps.push({ label: '$(beaker) Validate', command: 'modelDeploy.validate', detail: entry.metrics ? 'score again on the validation set' : 'score the model on its validation set' });
    steps.push({ label: '$(package) Build Image', command: 'modelDeploy.buildImage', detail: `${entry.name}:${entry.version}${built ? ' (built; build again)' : ''}` });
    if (built && !running) steps.push({ label: '$(play) Run Locally', command: 'modelDeploy.runLocally', detail: 'start it on 127.0.0.1 and wait until ready' });
    steps.push({ label: '$(search) Inspect Model', command: 'modelDeploy.inspectModel', detail: 'inputs, outputs, producer, size, sha256' });
    steps.push({ label: '$(go-to-file) Open Config', command: 'modelDeploy.openConfig' });
  }
  steps.push({ label: '$(output) Show Logs', command: 'modelDeploy.showLogs' });
  const picked = await vscode.window.showQuickPick(steps, { placeHolder: entry ? `${entry.name} ${entry.version ?? ''}: next step` : 'Model Deploy' });
  if (picked) await vscode.commands.executeCommand(picked.command, entry ? { entry } : undefined);
}
