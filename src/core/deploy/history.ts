import type Docker from 'dockerode';
import type { ProjectConfig } from '../project/projectConfig';
import type { CredentialSource } from '../registry/credentials';
import { environmentOf } from './environments';
import { environmentStatus } from './environmentState';
import { readHistory, type HistoryEntry } from './historyLog';
import { labelMetrics } from './imageIdentity';
import { environmentRegistry, registryHistory } from './registryEnvironment';

/** A history entry as `history` shows it: the audit trail's fields, and whether it is what runs now. */
export interface HistoryView extends Omit<HistoryEntry, 'who'> {
  who?: string;
  current: boolean;
}

/** The audit trail's line for a registry change: the same digest, recorded within a few seconds of the tag. */
function matchLocal(trail: HistoryEntry[], digest: string, time: string): HistoryEntry | undefined {
  return trail.find((e) => e.digest === digest && Math.abs(Date.parse(e.time) - Date.parse(time)) < 5_000);
}

/**
 * An environment's history, newest first. A registry environment's comes from its history tags, so it is
 * the same from any machine; the audit trail adds who and why where this folder has it.
 */
export async function environmentHistory(docker: Docker, project: ProjectConfig, environmentName: string | undefined, credentials: CredentialSource): Promise<HistoryView[]> {
  const environment = environmentOf(project, environmentName);
  const [status, trail] = await Promise.all([environmentStatus(docker, project, environment, credentials), readHistory(project, environment.name)]);
  let entries: Omit<HistoryView, 'current'>[];
  if (environment.registry) {
    const tagged = await registryHistory(environmentRegistry(project, environment, credentials), environment.name, project.image.platform);
    entries = tagged.map((image) => {
      const local = matchLocal(trail, image.digest, image.time);
      return { ...local, time: image.time, environment: environment.name, action: local?.action ?? 'deploy', version: image.version, digest: image.digest, image: image.image, metrics: local?.metrics ?? labelMetrics(image.labels) };
    });
  } else {
    entries = trail;
  }
  let marked = false;
  return entries.map((entry) => {
    const current = !marked && entry.digest === status.current?.digest;
    marked ||= current;
    return { ...entry, current };
  });
}
