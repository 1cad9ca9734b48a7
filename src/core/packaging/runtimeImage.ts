import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { inspectImage } from '../engine/baseImage';
import type { ProjectConfig } from '../project/projectConfig';
import { generateRuntimeDockerfile, RUNTIME_STATE_ENTRIES, withLabels } from './dockerfile';
import { runEngineBuild } from './engineBuild';
import { LABEL } from './imageLabels';
import { packageRoot, runtimeAssets, runtimeBundles } from './runtimeAssets';

/** The repository of the shared runtime images. */
export const RUNTIME_REPOSITORY = 'modeldeploy-runtime';
export const RUNTIME_ROLE = 'runtime';

/**
 * The runtime image's tag: the runtime version and a digest of everything its content depends on
 * (the base image id, the platform, the server bundle, onnxruntime's version), so a new base or a
 * new runtime gets a new image and an unchanged one is found again.
 */
export function runtimeImageTag(base: Pick<Docker.ImageInspectInfo, 'Id'>, project: Pick<ProjectConfig, 'image'>, runtimeVersion: string, root = packageRoot()): string {
  const ort = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')) as { version: string };
  const hash = createHash('sha256').update([base.Id, project.image.platform, runtimeVersion, ort.version, generateRuntimeDockerfile(project.image.base)].join('\n'));
  for (const bundle of runtimeBundles(root)) hash.update(fs.readFileSync(bundle));
  const digest = hash.digest('hex');
  return `${RUNTIME_REPOSITORY}:${runtimeVersion}-${project.image.platform.replace('/', '-')}-${digest.slice(0, 12)}`;
}

/** Builds the runtime image for the project's base and platform unless the engine has it already; its tag. */
export async function ensureRuntimeImage(docker: Docker, project: Pick<ProjectConfig, 'image'>, base: Docker.ImageInspectInfo, runtimeVersion: string, options: { onOutput: (line: string) => void; signal?: AbortSignal; idleTimeoutMs: number }): Promise<string> {
  const tag = runtimeImageTag(base, project, runtimeVersion);
  if (await inspectImage(docker, tag)) return tag;
  options.onOutput(`building the runtime image ${tag} (once for this base, platform and runtime)`);
  const labels = { [LABEL.managed]: 'true', [LABEL.role]: RUNTIME_ROLE, [LABEL.runtimeVersion]: runtimeVersion };
  const dockerfile = withLabels(generateRuntimeDockerfile(project.image.base), labels);
  await runEngineBuild(docker, [{ archivePath: 'Dockerfile', content: dockerfile }, ...RUNTIME_STATE_ENTRIES, ...runtimeAssets(project.image.platform)], { tag, platform: project.image.platform, ...options });
  await removeUnusedRuntimeImages(docker, tag);
  return tag;
}

/**
 * Runtime images that a new one replaces are removed when no project image is built on them. BuildKit
 * records no parent image, so the engine would remove one that images are built on: a runtime image
 * counts as used when its layers begin another image the tool made (a project's, possibly dangling).
 */
async function removeUnusedRuntimeImages(docker: Docker, keep: string): Promise<void> {
  const runtimes = await docker.listImages({ filters: { label: [`${LABEL.managed}=true`, `${LABEL.role}=${RUNTIME_ROLE}`] } });
  const stale = runtimes.filter((i) => !(i.RepoTags ?? []).includes(keep));
  if (!stale.length) return;
  const layersOf = (id: string) => inspectImage(docker, id).then((info) => info?.RootFS.Layers ?? [], () => []);
  const built = await docker.listImages({ filters: { label: [`${LABEL.managed}=true`] } });
  const builtLayers = await Promise.all(built.filter((i) => i.Labels?.[LABEL.role] !== RUNTIME_ROLE).map((i) => layersOf(i.Id)));
  for (const image of stale) {
    const layers = await layersOf(image.Id);
    if (!layers.length || builtLayers.some((other) => other.length >= layers.length && layers.every((layer, i) => other[i] === layer))) continue;
    await docker.getImage(image.Id).remove().catch(() => undefined);
  }
}
