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
  for (const i of await docker.listImages({ filters: { reference: [`${name}`] } })) await docker.getImage(i.Id).remove({ force: true });
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
