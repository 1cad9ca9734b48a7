import * as assert from 'node:assert/strict';
import type { Release, FaultTarget } from './faultTarget';
import { lockState, orphanContainers, readEnvironment, type EnvironmentState } from './environmentState';

export interface IntactOptions {
  /** The release whose deploy the fault hit. */
  attempted: Release;
  /**
   * The fault may have landed after the switch (a kill once the switch step began): then the environment
   * may serve the attempted release instead, provided the history and the channel tag say so too.
   */
  mayHaveSwitched?: boolean;
  /**
   * The CLI was killed: it could not remove what it had started (those containers may remain until the
   * next deploy removes them) nor its lock (which must then name a dead process).
   */
  killed?: boolean;
}

export interface Intact {
  /** The version served after the fault (undefined: nothing, as before). */
  served?: string;
  switched: boolean;
  /** Whether history.jsonl already records what serves (false: a switch the next deploy must record). */
  recorded: boolean;
  /** New lines in history.jsonl. */
  historyAdded: number;
  orphans: string[];
  lock: 'free' | 'stale';
}

/** One line of history.jsonl, checked for the fields every entry has. */
function entryOf(line: string): { environment: string; version: string; digest: string } {
  const entry = JSON.parse(line) as Record<string, unknown>;
  for (const field of ['time', 'environment', 'action', 'version', 'digest', 'image', 'who']) assert.equal(typeof entry[field], 'string', `history line without ${field}: ${line}`);
  assert.ok(!Number.isNaN(Date.parse(entry.time as string)), `history line with a bad time: ${line}`);
  return entry as { environment: string; version: string; digest: string };
}

/**
 * After a fault: the environment serves its previous version (or, when the fault may have landed after
 * the switch, exactly one of the two versions, with the history and the channel tag agreeing with what it
 * serves); a registry's channel tag names the digest verified before, and that manifest is fetchable; the
 * history keeps its lines and gains well-formed ones only for a switch that happened; the project has no
 * container but each environment's router and active version; the lock is free, or left by a dead
 * process for the next caller to take over.
 */
export async function assertEnvironmentIntact(target: FaultTarget, before: EnvironmentState, options: IntactOptions): Promise<Intact> {
  const now = await readEnvironment(target);
  const switched = Boolean(options.mayHaveSwitched) && now.version === options.attempted.version;
  const where = `${target.label} after the fault`;
  if (!switched) {
    assert.equal(now.version, before.version, `${where} serves ${now.version ?? 'nothing'}, not its previous ${before.version ?? 'nothing'}`);
    assert.equal(now.digest, before.digest, `${where}: the ${target.registry ? 'channel tag' : 'active image'} changed`);
  }
  if (target.registry && now.digest) assert.equal(now.verified, true, `${where}: the channel tag's manifest ${now.digest} cannot be fetched by digest`);

  assert.deepEqual(now.history.slice(0, before.history.length), before.history, `${where}: history.jsonl lost or changed lines`);
  const added = now.history.slice(before.history.length).map(entryOf);
  const ours = added.filter((e) => e.environment === target.environment);
  if (switched) {
    // The record follows the switch at once; a kill in the instant between the two leaves it to the next
    // deploy, which must add it (assertNextDeploySucceeds).
    assert.ok(ours.length <= 1, `${where}: history.jsonl records the switch ${ours.length} times`);
    assert.deepEqual(ours.map((e) => [e.version, e.digest]), ours.length ? [[now.version, now.digest]] : [], `${where} serves ${now.version}: history.jsonl must say so`);
  } else {
    assert.deepEqual(ours, [], `${where}: history.jsonl has lines for the failed deploy`);
  }
  assert.deepEqual(added.filter((e) => e.environment !== target.environment), [], `${where}: history.jsonl has lines for another environment`);
  if (target.registry) {
    const newTags = Object.entries(now.historyTags).filter(([tag]) => !(tag in before.historyTags));
    assert.deepEqual(Object.entries(before.historyTags).filter(([tag, digest]) => now.historyTags[tag] !== digest), [], `${where}: history tags moved or vanished`);
    assert.deepEqual(newTags.map(([, digest]) => digest), ours.map(() => now.digest), `${where}: history tags do not agree with the channel tag and history.jsonl`);
  }

  const orphans = await orphanContainers(target);
  if (!options.killed) assert.deepEqual(orphans, [], `${where}: containers left behind`);
  const lock = lockState(target);
  assert.ok(lock === 'free' || (options.killed && lock === 'stale'), `${where}: the lock is ${lock}`);
  return { served: now.version, switched, recorded: !switched || ours.length === 1, historyAdded: added.length, orphans, lock: lock as 'free' | 'stale' };
}
