import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProjectConfig } from '../project/projectConfig';
import { stateDir } from '../validation/metricsStore';
import type { GateCheck } from './diffTypes';

/**
 * One deploy, promote or rollback, as the audit trail keeps it. Never holds a credential. A canary is
 * recorded by the same three actions with its share in `canary`: a deploy that started it (the version
 * serves that share, beside the one before), the promote that gave it every request, or the rollback
 * that aborted it (then `version` is the one that serves on, `from` the canary's digest). A shadow is
 * recorded the same way, with `shadow: true`.
 */
export interface HistoryEntry {
  time: string;
  environment: string;
  action: 'deploy' | 'promote' | 'rollback';
  version: string;
  digest: string;
  /** Where the image is: `<registry>/<name>:<version>`, or the local image. */
  image: string;
  who: string;
  url?: string;
  /** promote: the environment it came from; rollback: the digest it replaced. */
  from?: string;
  metrics?: Record<string, number>;
  gates?: Pick<GateCheck, 'metric' | 'rule' | 'verdict' | 'reason'>[];
  /** A canary's percentage of the requests: see above. */
  canary?: number;
  /** The change is to a shadow: see above. */
  shadow?: true;
}

export function historyFile(project: Pick<ProjectConfig, 'dir'>): string {
  return path.join(stateDir(project), 'history.jsonl');
}

/** Who made a change: the login and machine, as an audit trail wants it. */
export function currentUser(): string {
  let name = process.env.USER ?? 'unknown';
  try {
    name = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): keep $USER.
  }
  return `${name}@${os.hostname()}`;
}

/** Appends one line; a single write of a line is atomic enough for an append-only log. */
export async function appendHistory(project: Pick<ProjectConfig, 'dir'>, entry: HistoryEntry): Promise<void> {
  const file = historyFile(project);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.appendFile(file, `${JSON.stringify(entry)}\n`);
}

/** Entries of one environment, newest first; lines that are not entries are skipped. */
export async function readHistory(project: Pick<ProjectConfig, 'dir'>, environment?: string): Promise<HistoryEntry[]> {
  let text: string;
  try {
    text = await fs.readFile(historyFile(project), 'utf8');
  } catch {
    return [];
  }
  const entries: HistoryEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as HistoryEntry;
      if (typeof entry.digest === 'string' && (!environment || entry.environment === environment)) entries.push(entry);
    } catch {
      // A torn last line from a crash: the rest of the trail still counts.
    }
  }
  return entries.sort((a, b) => b.time.localeCompare(a.time));
}
