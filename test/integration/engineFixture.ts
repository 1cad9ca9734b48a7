import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import { LABEL } from '../../src/core/packaging/imageLabels';
import { copyExample } from '../support/projectFixture';

/** The engine the tests run against: the one scripts/provision/docker.sh started (or DOCKER_HOST). */
export const docker = new Docker();

/** A name no other test run on this engine uses, so runs in parallel never touch each other's images. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Sets the project's `name:` (and optionally other top-level keys) in its modeldeploy.yaml. */
export function setConfig(dir: string, values: Record<string, string>): void {
  const file = path.join(dir, 'modeldeploy.yaml');
  let text = fs.readFileSync(file, 'utf8');
  for (const [key, value] of Object.entries(values)) {
    const line = new RegExp(`^${key}:.*$`, 'm');
    text = line.test(text) ? text.replace(line, `${key}: ${value}`) : `${text.replace(/\n*$/, '\n')}${key}: ${value}\n`;
  }
  fs.writeFileSync(file, text);
}

export interface TestProject {
  dir: string;
  name: string;
  /** Removes the folder and every container and image made for this project name. */
  cleanup: () => Promise<void>;
}

/** A copy of an example under a unique name. */
export function exampleProject(example: string): TestProject {
  const copy = copyExample(example);
  const name = uniqueName(`it-${example}`);
  setConfig(copy.dir, { name });
  return withCleanup(copy.dir, name, copy.cleanup);
}

export function withCleanup(dir: string, name: string, removeDir: () => void): TestProject {
  return {
    dir,
    name,
    cleanup: async () => {
      await removeProjectResources(name);
      removeDir();
    },
  };
}

export async function removeProjectResources(name: string): Promise<void> {
  for (const c of await docker.listContainers({ all: true, filters: { label: [`${LABEL.project}=${name}`] } })) await docker.getContainer(c.Id).remove({ force: true });
  // The volumes of its environments' routers, once their containers are gone.
  for (const v of (await docker.listVolumes({ filters: { label: [`${LABEL.project}=${name}`] } })).Volumes ?? []) await docker.getVolume(v.Name).remove({ force: true }).catch(() => undefined);
  // By tag, and by label for an image a rebuild left untagged.
  const images = [...(await docker.listImages({ filters: { reference: [`${name}`] } })), ...(await imagesOf(name))];
  for (const id of new Set(images.map((i) => i.Id))) await docker.getImage(id).remove({ force: true }).catch(() => undefined);
}

/** The images built for a project name, tagged or not. */
export async function imagesOf(name: string): Promise<Docker.ImageInfo[]> {
  return docker.listImages({ all: true, filters: { label: [`${LABEL.project}=${name}`] } });
}

/** Containers of a project name, running or not. */
export async function containersOf(name: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${LABEL.project}=${name}`] } });
}

/**
 * Every container the tool's images made, to check that a failed step left none behind: a build step's
 * intermediate container inherits the runtime image's `modeldeploy.managed` label too.
 */
export async function allContainerIds(): Promise<Set<string>> {
  return new Set((await docker.listContainers({ all: true, filters: { label: [`${LABEL.managed}=true`] } })).map((c) => c.Id));
}

/**
 * Containers of the tool's images made since `before` that are not another project's: what a step of
 * this test left behind. Other people's runs on the same engine start their own projects' containers
 * meanwhile (each labelled with its project), and those must not fail this test.
 */
export async function strayContainers(before: Set<string>, project: string): Promise<string[]> {
  const now = await docker.listContainers({ all: true, filters: { label: [`${LABEL.managed}=true`] } });
  return now.filter((c) => !before.has(c.Id) && (c.Labels?.[LABEL.project] ?? project) === project).map((c) => `${c.Id.slice(0, 12)} ${c.Image} ${c.Status}`);
}

/** What the engine holds for a project before a step that must fail without leaving anything. */
export interface EngineSnapshot {
  project: string;
  containers: Set<string>;
  /** The ids of the project's images, tagged or not. */
  images: string[];
  /** The id under `<name>:<version>`, if any. */
  tagged: string | undefined;
  tag: string;
  /** Untagged images of the tool (a failed build's leftovers would be). */
  dangling: Set<string>;
}

async function danglingManagedImages(): Promise<Docker.ImageInfo[]> {
  return docker.listImages({ all: true, filters: { dangling: ['true'], label: [`${LABEL.managed}=true`] } });
}

export async function snapshotEngine(project: string, tag: string): Promise<EngineSnapshot> {
  return {
    project,
    tag,
    containers: await allContainerIds(),
    images: (await imagesOf(project)).map((i) => i.Id).sort(),
    tagged: await imageIdOf(tag),
    dangling: new Set((await danglingManagedImages()).map((i) => i.Id)),
  };
}

/**
 * Nothing left behind since the snapshot: no container of the project and no stray step container,
 * no new image (tagged or dangling), and the image under the tag is the one there was.
 */
export async function assertNothingLeftBehind(before: EngineSnapshot): Promise<void> {
  assert.deepEqual(await containersOf(before.project), [], 'no container of the project');
  assert.deepEqual(await strayContainers(before.containers, before.project), [], 'no container of a build step or start left');
  assert.deepEqual((await imagesOf(before.project)).map((i) => i.Id).sort(), before.images, 'no new image of the project');
  assert.equal(await imageIdOf(before.tag), before.tagged, `the image under ${before.tag} is kept`);
  const leftovers = (await danglingManagedImages()).filter((i) => !before.dangling.has(i.Id) && (i.Labels?.[LABEL.project] ?? before.project) === before.project);
  assert.deepEqual(leftovers.map((i) => i.Id), [], 'no dangling image left');
}

/** The id of the image under a reference, or undefined when the engine has none. */
export async function imageIdOf(reference: string): Promise<string | undefined> {
  return docker
    .getImage(reference)
    .inspect()
    .then((i) => i.Id, () => undefined);
}

export async function layersOf(reference: string): Promise<string[]> {
  return (await docker.getImage(reference).inspect()).RootFS.Layers ?? [];
}
