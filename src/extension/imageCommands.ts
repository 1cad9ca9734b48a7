import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findLocalContainer, readLogs } from '../core/container/containerLogs';
import { localServerUrl, removeLocalContainers } from '../core/container/localContainers';
import { runContainer, type RunResult } from '../core/container/runContainer';
import { UserError } from '../core/errors';
import { buildImage, type BuildResult } from '../core/packaging/buildImage';
import { ejectDockerfile } from '../core/packaging/ejectDockerfile';
import { CONTAINER_PORT } from '../core/packaging/runtimeMetadata';
import { predict, type PredictResult } from '../core/predict/predict';
import { projectRequest } from '../core/predict/projectRequest';
import { parseRequest } from '../core/predict/requestFile';
import { formatBuildResult } from '../core/report/imageReport';
import { formatPrediction } from '../core/report/predictionReport';
import { stateDir } from '../core/validation/metricsStore';
import { inspectInWorker } from '../core/worker/inspectInWorker';
import type { CommandServices } from './commandTable';
import { log } from './log';
import { withCancellableProgress } from './progress';
import type { ProjectEntry } from './projectStore';
import { busy, requireTrust } from './projectWork';
import { requireConfig, resolveProject } from './resolveProject';

/** The editable request a test prediction sends, kept in the project's state folder so edits persist. */
export const TEST_REQUEST_FILE = 'test-request.json';

export async function buildImageCommand(services: CommandServices, arg?: unknown): Promise<BuildResult> {
  requireTrust('Building an image');
  const entry = await resolveProject(services.store, services.statusBar, arg);
  const config = requireConfig(entry);
  const result = await busy(services, entry, 'building', () =>
    withCancellableProgress(`Model Deploy: building ${config.name}:${config.version}`, async (signal, progress) => {
      const inspection = inspectInWorker(config.model, signal);
      const docker = await services.engine.engine();
      log.info(`building ${config.name}:${config.version} from ${config.dir}`);
      return buildImage(docker, config, {
        inspection,
        signal,
        onOutput: (line) => {
          log.info(line);
          if (/^\[\d+\/\d+\] |^building /.test(line)) progress(line.slice(0, 80));
        },
      });
    }),
  );
  log.block(formatBuildResult(result, config.image.base));
  void vscode.window.showInformationMessage(`Model Deploy: built ${result.image}`, 'Run Locally').then((choice) => {
    if (choice) void vscode.commands.executeCommand('modelDeploy.runLocally', { entry });
  });
  return result;
}

/** The image to run: the one of an image node the command was invoked on, else `<name>:<version>`. */
function imageOf(arg: unknown): string | undefined {
  const image = (arg as { image?: { tags?: string[] } })?.image;
  return image?.tags?.[0];
}

export async function runLocallyCommand(services: CommandServices, arg?: unknown): Promise<RunResult> {
  requireTrust('Running an image');
  const entry = await resolveProject(services.store, services.statusBar, arg);
  const config = requireConfig(entry);
  const image = imageOf(arg);
  const result = await busy(services, entry, 'starting', () =>
    withCancellableProgress(`Model Deploy: starting ${image ?? `${config.name}:${config.version}`}`, async (signal) => runContainer(await services.engine.engine(), config, { image, signal })),
  );
  log.info(`${result.name} (${result.image}) is ready at ${result.url} after ${Math.round(result.startToReadyMs)} ms`);
  void vscode.window.showInformationMessage(`Model Deploy: ${config.name} is running on ${result.url}`, 'Test Prediction').then((choice) => {
    if (choice) void vscode.commands.executeCommand('modelDeploy.testPrediction', { entry });
  });
  return result;
}

export async function stopContainerCommand(services: CommandServices, arg?: unknown): Promise<string[]> {
  const entry = await resolveProject(services.store, services.statusBar, arg);
  const config = requireConfig(entry);
  const removed = await busy(services, entry, 'stopping', async () => removeLocalContainers(await services.engine.engine(), config));
  log.info(removed.length ? `stopped and removed ${removed.join(', ')}` : `${config.name} had no local container`);
  return removed;
}

export async function showContainerLogsCommand(services: CommandServices, arg?: unknown): Promise<string> {
  const entry = await resolveProject(services.store, services.statusBar, arg);
  const config = requireConfig(entry);
  const docker = await services.engine.engine();
  const container = await findLocalContainer(docker, config);
  const text = (await readLogs(docker, container.Id)).map((f) => f.text).join('');
  await services.reports.show(`${config.name} container.log`, text || '(no output yet)');
  return text;
}

export async function ejectDockerfileCommand(services: CommandServices, arg?: unknown): Promise<string> {
  const entry = await resolveProject(services.store, services.statusBar, arg);
  const file = ejectDockerfile(requireConfig(entry));
  log.info(`wrote ${file}; builds of ${entry.name} use it from now on`);
  await vscode.window.showTextDocument(vscode.Uri.file(file));
  return file;
}

/**
 * Opens the project's test request (written from the sample, or made from the model, the first time)
 * for editing, and sends it at once; "Send Test Prediction" sends it again after edits.
 */
export async function testPredictionCommand(services: CommandServices, arg?: unknown): Promise<PredictResult> {
  requireTrust('Test prediction');
  const entry = await resolveProject(services.store, services.statusBar, arg);
  const config = requireConfig(entry);
  const file = path.join(stateDir(config), TEST_REQUEST_FILE);
  if (!fs.existsSync(file)) {
    const request = await projectRequest(config);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(request, null, 2)}\n`);
  }
  const document = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One });
  return sendDocument(services, entry, document);
}

/** Sends the test request in the active editor (or the given one) to the project's running container. */
export async function sendPredictionCommand(services: CommandServices, arg?: unknown): Promise<PredictResult> {
  requireTrust('Test prediction');
  const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  const entry = uri?.scheme === 'file' ? services.store.projectOf(uri.fsPath) : undefined;
  if (!uri || !entry) throw new UserError('open a test request of a model project first', undefined, 'run "Model Deploy: Test Prediction"');
  return sendDocument(services, entry, await vscode.workspace.openTextDocument(uri));
}

async function sendDocument(services: CommandServices, entry: ProjectEntry, document: vscode.TextDocument): Promise<PredictResult> {
  const config = requireConfig(entry);
  const request = parseRequest(document.getText(), document.uri.fsPath);
  const result = await busy(services, entry, 'predicting', () =>
    withCancellableProgress(`Model Deploy: test prediction on ${config.name}`, async (signal) => predict(config, await localServerUrl(await services.engine.engine(), config, CONTAINER_PORT), request, signal, { binary: services.config.binaryTestPrediction })),
  );
  const text = formatPrediction(result);
  log.block(text);
  await services.reports.show(`${config.name} prediction.txt`, `${text}\n\n${JSON.stringify(result.response, null, 2)}\n`);
  if (!result.parity.ok) void vscode.window.showWarningMessage(`Model Deploy: the container's answer differs from in-process onnxruntime by ${result.parity.maxAbsDiff}`);
  return result;
}
