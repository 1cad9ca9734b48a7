import * as path from 'node:path';
import { localServerUrl, removeLocalContainers } from '../core/container/localContainers';
import { findLocalContainer, followLogs, readLogs } from '../core/container/containerLogs';
import { runContainer } from '../core/container/runContainer';
import { connectEngine } from '../core/engine/dockerEngine';
import { UserError } from '../core/errors';
import { buildImage } from '../core/packaging/buildImage';
import { ejectDockerfile } from '../core/packaging/ejectDockerfile';
import { CONTAINER_PORT } from '../core/packaging/runtimeMetadata';
import { predict, predictBatch } from '../core/predict/predict';
import { projectRequest } from '../core/predict/projectRequest';
import { initProject } from '../core/project/initProject';
import { loadProject } from '../core/project/loadProject';
import { formatBuildResult } from '../core/report/imageReport';
import { formatModelInfo } from '../core/report/modelReport';
import { formatBatchResult, formatPrediction } from '../core/report/predictionReport';
import { formatValidationReport } from '../core/report/validationReport';
import { validateProject } from '../core/validation/validateProject';
import { inspectInWorker } from '../core/worker/inspectInWorker';
import { runInWorker } from '../core/worker/runInWorker';
import { displayPath, EXIT_CHECK_FAILED } from './cliOutput';
import { deployCommands } from './deployCommands';
import { watchCommand } from './watchCommand';

export interface CliContext {
  projectDir: string;
  json: boolean;
  model?: string;
  port?: string;
  input?: string;
  batch?: string;
  out?: string;
  url?: string;
  /** predict: send and receive binary tensor data. */
  binary?: boolean;
  follow: boolean;
  force: boolean;
  env?: string;
  yes: boolean;
  from?: string;
  to?: string;
  registry?: string;
  username?: string;
  /** watch: stop after this many reports. */
  count?: string;
  /** deploy: the canary's percentage of the requests; promote: promote the canary ("" when given bare). */
  canary?: string;
  /** deploy --canary: analyse the canary and roll it back on a regression. */
  analyze?: boolean;
  /** deploy: start the candidate as a shadow; promote: promote the shadow. */
  shadow?: boolean;
  signal: AbortSignal;
  extra: string[];
}

interface CliCommand {
  summary: string;
  run(ctx: CliContext): Promise<number>;
}

function print(ctx: CliContext, value: unknown, text: string): void {
  process.stdout.write(ctx.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

/** Progress goes to stderr, so stdout stays the result alone (and pure JSON with --json). */
function progress(ctx: CliContext): ((line: string) => void) | undefined {
  return ctx.json ? undefined : (line) => process.stderr.write(`${line}\n`);
}

function portOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  // Digits only: Number() would also take " 80", "1e3" and "0x50".
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UserError(`--port ${value} is not a port number from 1 to 65535`);
  return port;
}

/** One table of commands; each handler is a thin shell over a core use-case. */
export const cliCommands = {
  init: {
    summary: 'write a commented modeldeploy.yaml from the project\'s .onnx model (--model FILE to choose one)',
    async run(ctx) {
      const result = await initProject(ctx.projectDir, ctx.model ? path.resolve(ctx.model) : undefined);
      print(ctx, result, `wrote ${displayPath(result.configFile)} for ${displayPath(result.model)}`);
      return 0;
    },
  },
  inspect: {
    summary: 'show the model\'s inputs, outputs, producer, opsets, size and sha256',
    async run(ctx) {
      const file = ctx.model ? path.resolve(ctx.model) : loadProject(ctx.projectDir).model;
      const info = await runInWorker('inspect', { file }, { signal: ctx.signal });
      print(ctx, info, formatModelInfo({ ...info, file: displayPath(info.file) }));
      return 0;
    },
  },
  validate: {
    summary: 'score the model on the validation set and write .modeldeploy/metrics/<version>.json',
    async run(ctx) {
      const project = loadProject(ctx.projectDir);
      const showProgress = !ctx.json && process.stderr.isTTY;
      const report = await validateProject(project, {
        signal: ctx.signal,
        onProgress: showProgress ? (p) => process.stderr.write(`\rvalidating: ${p.rows} rows`) : undefined,
      });
      if (showProgress) process.stderr.write('\r\x1b[K');
      print(ctx, report, `${formatValidationReport(report)}\n\nwrote ${displayPath(report.file)}`);
      return 0;
    },
  },
  build: {
    summary: 'package the project into the Docker image <name>:<version>',
    async run(ctx) {
      const project = loadProject(ctx.projectDir);
      const inspection = inspectInWorker(project.model, ctx.signal);
      const result = await buildImage(await connectEngine(), project, { inspection, onOutput: progress(ctx), signal: ctx.signal });
      const { image, id, sizeBytes, baseSizeBytes, runtimeImage } = result;
      print(ctx, { image, id, sizeBytes, baseSizeBytes, runtimeImage }, formatBuildResult(result, project.image.base));
      return 0;
    },
  },
  eject: {
    summary: 'write the generated Dockerfile into the project to customise it (--force to overwrite)',
    async run(ctx) {
      const file = ejectDockerfile(loadProject(ctx.projectDir), { force: ctx.force });
      print(ctx, { dockerfile: file }, `wrote ${displayPath(file)}; builds use it from now on (delete it to go back to the generated one)`);
      return 0;
    },
  },
  run: {
    summary: 'start the image as a hardened local container on 127.0.0.1 and wait until it is ready',
    async run(ctx) {
      const port = portOption(ctx.port);
      const project = loadProject(ctx.projectDir);
      const result = await runContainer(await connectEngine(), project, { port, signal: ctx.signal });
      print(ctx, { container: result.container, url: result.url }, `${result.name} is ready at ${result.url} (${Math.round(result.startToReadyMs)} ms from start)\ntry: modeldeploy predict, or POST ${result.url}/v2/models/${project.name}/infer`);
      return 0;
    },
  },
  stop: {
    summary: "stop and remove the project's local container",
    async run(ctx) {
      const removed = await removeLocalContainers(await connectEngine(), loadProject(ctx.projectDir));
      print(ctx, { removed }, removed.length ? `stopped and removed ${removed.join(', ')}` : 'no local container to stop');
      return 0;
    },
  },
  logs: {
    summary: "print the local container's output (--follow to keep printing)",
    async run(ctx) {
      const project = loadProject(ctx.projectDir);
      const docker = await connectEngine();
      const container = await findLocalContainer(docker, project);
      const write = (frame: { stream: 'stdout' | 'stderr'; text: string }) => (frame.stream === 'stderr' ? process.stderr : process.stdout).write(frame.text);
      if (ctx.follow) await followLogs(docker, container.Id, write, ctx.signal).catch((error: Error) => (ctx.signal.aborted ? undefined : Promise.reject(error)));
      else (await readLogs(docker, container.Id)).forEach(write);
      return 0;
    },
  },
  predict: {
    summary: 'send a test prediction to the local container and check it against in-process onnxruntime',
    async run(ctx) {
      const project = loadProject(ctx.projectDir);
      const url = ctx.url ?? (await localServerUrl(await connectEngine(), project, CONTAINER_PORT));
      if (ctx.batch) {
        const batchFile = path.resolve(ctx.batch);
        const outFile = path.resolve(ctx.out ?? batchFile.replace(/(\.jsonl)?$/, '.results.jsonl'));
        const result = await predictBatch(project, url, batchFile, outFile, { signal: ctx.signal, binary: ctx.binary });
        print(ctx, result, formatBatchResult({ ...result, outFile: displayPath(result.outFile) }));
        return result.failed || !result.parity.ok ? EXIT_CHECK_FAILED : 0;
      }
      const request = await projectRequest(project, ctx.input ? path.resolve(ctx.input) : undefined, ctx.signal);
      const result = await predict(project, url, request, ctx.signal, { binary: ctx.binary });
      print(ctx, { response: result.response, latencyMs: result.latencyMs, parity: { maxAbsDiff: result.parity.maxAbsDiff } }, formatPrediction(result));
      return result.parity.ok ? 0 : EXIT_CHECK_FAILED;
    },
  },
  ...deployCommands,
  watch: watchCommand,
} satisfies Record<string, CliCommand>;
