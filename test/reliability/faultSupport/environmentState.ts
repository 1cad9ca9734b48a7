import * as fs from 'node:fs';
import * as path from 'node:path';
import { environmentOf } from '../../../src/core/deploy/environments';
import { localEnvironmentState } from '../../../src/core/deploy/localEnvironment';
import { LABEL } from '../../../src/core/packaging/imageLabels';
import { loadProject } from '../../../src/core/project/loadProject';
import { historyTags as historyTagsOf, inferVersion, projectContainers } from '../../integration/deployFixture';
import { docker } from '../../integration/engineFixture';
import type { FaultTarget } from './faultTarget';

/** What an environment serves and records, read from the outside: HTTP, the registry API, files, the engine. */
export interface EnvironmentState {
  /** The version it serves (local: an inference through its router URL; registry: the channel tag's image). */
  version?: string;
  /** Local: the image id of the active version; registry: the digest the channel tag names. */
  digest?: string;
  /** Registry: the manifest under that digest can be fetched by digest. */
  verified?: boolean;
  /** The lines of `.modeldeploy/history.jsonl`, as written. */
  history: string[];
  /** Registry: the environment's history tags with the digest each names. */
  historyTags: Record<string, string>;
}

export async function readEnvironment(target: FaultTarget): Promise<EnvironmentState> {
  const history = readHistoryLines(target.project.dir);
  if (target.registry) {
    const { client } = target.registry;
    const repository = target.project.name;
    const info = await client.imageConfig(repository, target.environment);
    const historyTags: Record<string, string> = {};
    for (const tag of historyTagsOf(await client.listTags(repository), target.environment)) historyTags[tag] = (await client.getManifest(repository, tag))!.digest;
    const verified = info ? (await client.getManifest(repository, info.digest))?.digest === info.digest : undefined;
    return { version: info?.labels[LABEL.version], digest: info?.digest, verified, history, historyTags };
  }
  const project = loadProject(target.project.dir);
  const state = await localEnvironmentState(docker, project, environmentOf(project, target.environment));
  const version = state.router ? await inferVersion(state.url, target.project).catch(() => undefined) : undefined;
  return { version, digest: version ? state.active?.image : undefined, history, historyTags: {} };
}

export function readHistoryLines(dir: string): string[] {
  const file = path.join(dir, '.modeldeploy', 'history.jsonl');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.trim()) : [];
}

/**
 * The project's containers that nothing serves from: anything but each local environment's router and
 * the version its router routes to (a candidate, a smoke container, a replaced version, a `run` container).
 */
export async function orphanContainers(target: FaultTarget): Promise<string[]> {
  const project = loadProject(target.project.dir);
  const serving = new Set<string>();
  for (const environment of project.environments.filter((e) => !e.registry || e.run)) {
    const state = await localEnvironmentState(docker, project, environment);
    if (state.router) serving.add(state.router.id);
    if (state.active) serving.add(`/${state.active.container}`);
  }
  return (await projectContainers(target.project.name)).filter((c) => !serving.has(c.Id) && !c.Names.some((n) => serving.has(n))).map((c) => `${c.Names[0]} (${c.Labels[LABEL.role]}, ${c.State})`);
}

/** The environment's lock: free (no file), stale (its process is gone: the next caller takes it over), or held. */
export function lockState(target: FaultTarget): 'free' | 'stale' | 'held' {
  const file = path.join(target.project.dir, '.modeldeploy', 'locks', `${target.environment}.lock`);
  if (!fs.existsSync(file)) return 'free';
  let pid: number | undefined;
  try {
    pid = (JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number }).pid;
  } catch {
    return 'stale'; // half-written by a process that died: taken over
  }
  if (typeof pid !== 'number') return 'stale';
  try {
    process.kill(pid, 0);
    return 'held';
  } catch {
    return 'stale';
  }
}
