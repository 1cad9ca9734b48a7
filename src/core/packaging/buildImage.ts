import * as fs from 'node:fs';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { CancelledError, UserError } from '../errors';
import { ensureBaseImage, inspectImage } from '../engine/baseImage';
import { reasonOf } from '../engine/dockerEngine';
import { EngineStreamError, followProgress } from '../engine/progressStream';
import type { ModelInfo } from '../model/modelInfo';
import type { ProjectConfig } from '../project/projectConfig';
import { readMetrics } from '../validation/metricsStore';
import { packBuildContext, type ContextEntry } from './buildContext';
import { generateDockerfile, PROJECT_DOCKERFILE, withLabels } from './dockerfile';
import { gitSource } from './gitSource';
import { imageLabels, LABEL } from './imageLabels';
import { runtimeAssets } from './runtimeAssets';
import { CONTAINER_PORT, type RuntimeMetadata } from './runtimeMetadata';

// Replaced by the package version when the bundles are built; "dev" when run from compiled sources.
declare const RUNTIME_VERSION: string | undefined;
const runtimeVersion = typeof RUNTIME_VERSION === 'string' ? RUNTIME_VERSION : 'dev';

export interface BuildOptions {
  /** The model's inspection (signature, sha256), made off the caller's thread. */
  model: ModelInfo;
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

/** The files of the build context, Dockerfile first. */
export function contextEntries(project: ProjectConfig, dockerfile: string): ContextEntry[] {
  const modelName = path.basename(project.model);
  const metadata: RuntimeMetadata = { name: project.name, version: project.version, model: `model/${modelName}`, labels: project.labels, port: CONTAINER_PORT };
  return [
    { archivePath: 'Dockerfile', content: dockerfile },
    ...runtimeAssets(project.image.platform),
    { archivePath: `model/${modelName}`, source: project.model },
    { archivePath: 'runtime.json', content: `${JSON.stringify(metadata, null, 2)}\n` },
  ];
}

/**
 * Packages the project into `<name>:<version>` through the engine's build API: a context made in
 * memory, the base image checked (and pulled) first, every progress event checked for errors. A
 * failed or cancelled build leaves no container behind and keeps the previous image under its tag.
 */
export async function buildImage(docker: Docker, project: ProjectConfig, options: BuildOptions): Promise<BuildResult> {
  const { signal } = options;
  const output = options.onOutput ?? (() => undefined);
  const base = await ensureBaseImage(docker, project, { signal, onEvent: (e) => e.status && output(`${e.id ? `${e.id}: ` : ''}${e.status}`) });
  const ownDockerfile = projectDockerfile(project);
  const dockerfileText = ownDockerfile ? fs.readFileSync(ownDockerfile, 'utf8') : generateDockerfile(project.image.base);
  const validation = await readMetrics(project, project.version);
  const labels = imageLabels(project, options.model, validation, runtimeVersion, await gitSource(project.dir));
  const notes: string[] = [];
  if (!validation) notes.push(`no validation metrics for ${project.version}: the image carries none (run Validate first to label it with them)`);
  else if (validation.modelSha256 !== options.model.sha256) notes.push(`the stored metrics for ${project.version} were computed on another model file: the image carries none (validate again)`);

  const tag = `${project.name}:${project.version}`;
  const previous = await inspectImage(docker, tag);
  if (signal?.aborted) throw new CancelledError();
  let imageId: string | undefined;
  try {
    const stream = (await docker.buildImage(packBuildContext(contextEntries(project, withLabels(dockerfileText, labels))), {
      t: tag,
      platform: project.image.platform,
      rm: true,
      forcerm: true,
      abortSignal: signal,
    } as Docker.ImageBuildOptions)) as unknown as NodeJS.ReadableStream & { destroy(): void };
    await followProgress(stream, {
      what: 'the image build',
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      signal,
      onEvent: (event) => {
        if (event.aux?.ID) imageId = event.aux.ID;
        const text = (event.stream ?? event.status ?? '').replace(/\s+$/, '');
        if (text) output(text);
      },
    });
  } catch (error) {
    if (error instanceof CancelledError || signal?.aborted) throw new CancelledError();
    if (error instanceof UserError) throw error;
    throw buildFailure(error, ownDockerfile);
  }
  const built = await inspectImage(docker, imageId ?? tag);
  if (!built) throw new UserError(`the build of ${tag} ended but the engine has no such image`);
  if (previous && previous.Id !== built.Id) await removeReplaced(docker, previous);
  return { image: tag, id: built.Id, sizeBytes: built.Size, baseSizeBytes: base.Size, dockerfile: ownDockerfile ? 'project' : 'generated', labels, notes };
}

/** A build failure as the user should see it: which Dockerfile and line, when the engine says. */
function buildFailure(error: unknown, ownDockerfile: string | undefined): UserError {
  const reason = error instanceof EngineStreamError ? error.message : reasonOf(error);
  const file = ownDockerfile ?? '(generated Dockerfile)';
  const line = /line (\d+)/i.exec(reason)?.[1];
  const hint = ownDockerfile ? `fix ${path.basename(ownDockerfile)}, or delete it to use the generated one` : 'see the build output in the log';
  return new UserError(`the image build failed: ${reason}`, { file, ...(line ? { line: Number(line) } : {}) }, hint);
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
