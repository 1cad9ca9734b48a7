import * as fs from 'node:fs';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { CancelledError, UserError } from '../errors';
import type { InputProfile } from '../drift/inputProfile';
import { ensureBaseImage, inspectImage } from '../engine/baseImage';
import { engineStoppedDuring, reasonOf } from '../engine/dockerEngine';
import { EngineStreamError } from '../engine/progressStream';
import type { ModelInspection } from '../model/modelInfo';
import type { ProjectConfig } from '../project/projectConfig';
import { metricsFile, readMetrics } from '../validation/metricsStore';
import type { ContextEntry } from './buildContext';
import { generateDockerfile, PROJECT_DOCKERFILE, RUNTIME_BUILD_ARG, withLabels } from './dockerfile';
import { runEngineBuild } from './engineBuild';
import { gitSource } from './gitSource';
import { imageLabels, LABEL } from './imageLabels';
import { CONTAINER_PORT, type RuntimeMetadata } from './runtimeMetadata';
import { ensureRuntimeImage } from './runtimeImage';
import { PRODUCT_VERSION } from '../productVersion';

export interface BuildOptions {
  /**
   * The model's inspection, made off the caller's thread: what its file says labels the image, and
   * onnxruntime's load runs beside the build; the image gets its tag only once the load has succeeded.
   */
  inspection: ModelInspection;
  /** Each line of build output, for a log or a progress view. */
  onOutput?: (line: string) => void;
  signal?: AbortSignal;
  /** Stop when the engine says nothing for this long. */
  idleTimeoutMs?: number;
}

export interface BuildResult {
  /** `<name>:<version>`. */
  image: string;
  id: string;
  sizeBytes: number;
  baseSizeBytes: number;
  /** Which Dockerfile was used: the generated one, or the project's own. */
  dockerfile: 'generated' | 'project';
  /** The shared runtime image the project's image starts from. */
  runtimeImage: string;
  labels: Record<string, string>;
  /** Why some labels are missing (no validation for this model file), for the user to see. */
  notes: string[];
}

const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;

/** The project's own Dockerfile, when it has one; it is used instead of the generated one. */
export function projectDockerfile(project: Pick<ProjectConfig, 'dir'>): string | undefined {
  const file = path.join(project.dir, PROJECT_DOCKERFILE);
  return fs.existsSync(file) ? file : undefined;
}

/**
 * The files of a project's build context: the Dockerfile, the model with the files of its external data
 * (`externalData`, relative to the model's folder, as the model names them) and the metadata file, with
 * the validated input's profile when there is one.
 */
export function contextEntries(project: ProjectConfig, dockerfile: string, externalData: string[], inputProfile?: InputProfile): ContextEntry[] {
  const modelName = path.basename(project.model);
  const metadata: RuntimeMetadata = { name: project.name, version: project.version, model: `model/${modelName}`, labels: project.labels, port: CONTAINER_PORT, inputProfile };
  return [
    { archivePath: 'Dockerfile', content: dockerfile },
    { archivePath: `model/${modelName}`, source: project.model },
    ...externalData.map((location) => ({ archivePath: `model/${location}`, source: path.join(path.dirname(project.model), location) })),
    { archivePath: 'runtime.json', content: `${JSON.stringify(metadata, null, 2)}\n` },
  ];
}

/**
 * When the project's content last changed (SOURCE_DATE_EPOCH wins, as in reproducible builds): the
 * image's `created`, so that rebuilding an unchanged project gives the same image.
 */
function contentDate(files: string[]): Date {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  if (Number.isInteger(epoch) && epoch > 0) return new Date(epoch * 1000);
  const times = files.map((file) => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
  return new Date(Math.floor(Math.max(...times) / 1000) * 1000);
}

/**
 * Packages the project into `<name>:<version>` through the engine's build API: the base image checked
 * (and pulled) first, the shared runtime image made when missing, then a context of only the model
 * and metadata built on it, while onnxruntime loads the model beside it. The tag moves only when both
 * have succeeded: a failed or cancelled build leaves no container behind and keeps the previous image
 * under its tag.
 */
export async function buildImage(docker: Docker, project: ProjectConfig, options: BuildOptions): Promise<BuildResult> {
  const onOutput = options.onOutput ?? (() => undefined);
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const tag = `${project.name}:${project.version}`;
  const ownDockerfile = projectDockerfile(project);
  const dockerfileText = ownDockerfile ? fs.readFileSync(ownDockerfile, 'utf8') : generateDockerfile();
  const basePulled = ensureBaseImage(docker, project, { signal: options.signal, onEvent: (e) => e.status && onOutput(`${e.id ? `${e.id}: ` : ''}${e.status}`) });
  // The shared runtime image does not depend on the model: it is checked (or made) while the rest is read.
  const runtimeMade = basePulled.then((base) => ensureRuntimeImage(docker, project, base, PRODUCT_VERSION, { onOutput, signal: options.signal, idleTimeoutMs }));
  runtimeMade.catch(() => undefined); // awaited below, after the other reads
  const [model, base, validation, source, previous] = await Promise.all([options.inspection.read, basePulled, readMetrics(project, project.version), gitSource(project.dir), inspectImage(docker, tag)]);
  const created = contentDate([project.model, project.configFile, metricsFile(project, project.version), ...(ownDockerfile ? [ownDockerfile] : [])]);
  const labels = imageLabels(project, model, validation, PRODUCT_VERSION, source, created);
  const notes: string[] = [];
  if (!validation) notes.push(`no validation metrics for ${project.version}: the image carries none, and no input profile, so it exposes no input drift metrics (run Validate first)`);
  else if (validation.modelSha256 !== model.sha256) notes.push(`the stored metrics for ${project.version} were computed on another model file: the image carries none, and no input profile for drift (validate again)`);
  else if (!validation.inputProfile) notes.push(`the stored metrics for ${project.version} have no input profile (an earlier version validated them): the image exposes no input drift metrics (validate again)`);
  const inputProfile = validation?.modelSha256 === model.sha256 ? validation.inputProfile : undefined;

  // A model that onnxruntime cannot load stops the build at once.
  const loadFailed = new AbortController();
  const loaded = options.inspection.loaded.catch((error: unknown) => {
    loadFailed.abort();
    throw error;
  });
  loaded.catch(() => undefined); // awaited after the build; a failure during it must not count as unhandled
  const signal = options.signal ? AbortSignal.any([options.signal, loadFailed.signal]) : loadFailed.signal;
  let runtimeImage: string;
  let imageId: string | undefined;
  try {
    runtimeImage = await runtimeMade;
    imageId = await runEngineBuild(docker, contextEntries(project, withLabels(dockerfileText, labels), model.externalData, inputProfile), {
      platform: project.image.platform,
      buildargs: { [RUNTIME_BUILD_ARG]: runtimeImage },
      onOutput,
      signal,
      idleTimeoutMs,
    });
  } catch (error) {
    if (loadFailed.signal.aborted) {
      await removeRefused(docker, project, model.sha256);
      await loaded;
    }
    if (error instanceof CancelledError || options.signal?.aborted) throw new CancelledError();
    if (error instanceof UserError) throw error;
    throw (await engineStoppedDuring(docker, `the build of ${tag}`, error)) ?? buildFailure(error, ownDockerfile);
  }
  if (!imageId) throw new UserError(`the build of ${tag} ended but the engine did not say which image it made`);
  try {
    await loaded;
  } catch (error) {
    await removeRefused(docker, project, model.sha256);
    throw error;
  }
  await docker.getImage(imageId).tag({ repo: project.name, tag: project.version });
  const built = await inspectImage(docker, imageId);
  if (!built) throw new UserError(`the build of ${tag} ended but the engine has no such image`);
  if (previous && previous.Id !== built.Id) await removeReplaced(docker, previous);
  return { image: tag, id: built.Id, sizeBytes: built.Size, baseSizeBytes: base.Size, dockerfile: ownDockerfile ? 'project' : 'generated', runtimeImage, labels, notes };
}

/** A build failure as the user should see it: which Dockerfile and line, when the engine says. */
function buildFailure(error: unknown, ownDockerfile: string | undefined): UserError {
  const reason = error instanceof EngineStreamError ? error.message : reasonOf(error);
  const file = ownDockerfile ?? '(generated Dockerfile)';
  const line = /line (\d+)/i.exec(reason)?.[1];
  const hint = ownDockerfile ? `fix ${path.basename(ownDockerfile)}, or delete it to use the generated one` : 'see the build output in the log';
  return new UserError(`the image build failed: ${reason}`, { file, ...(line ? { line: Number(line) } : {}) }, hint);
}

/** After onnxruntime refused the model: the untagged images the build made of it (it may have finished as the refusal came) go. */
async function removeRefused(docker: Docker, project: ProjectConfig, modelSha256: string): Promise<void> {
  const made = await docker.listImages({ filters: { dangling: ['true'], label: [`${LABEL.project}=${project.name}`, `${LABEL.modelSha256}=${modelSha256}`] } }).catch(() => []);
  await Promise.all(made.map((image) => docker.getImage(image.Id).remove().catch(() => undefined)));
}

/** The image a rebuild of the same tag replaced is removed when nothing uses it, so rebuilds leave no litter. */
async function removeReplaced(docker: Docker, previous: Docker.ImageInspectInfo): Promise<void> {
  if (previous.Config?.Labels?.[LABEL.managed] !== 'true') return;
  try {
    await docker.getImage(previous.Id).remove();
  } catch {
    // Still used by a container, or tagged elsewhere: it stays, as it should.
  }
}
