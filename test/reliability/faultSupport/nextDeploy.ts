import * as assert from 'node:assert/strict';
import { parseJson, runCli, type ReleaseJson } from '../../integration/deployFixture';
import { lockState, orphanContainers, readEnvironment, type EnvironmentState } from './environmentState';
import { deployArgs, select, type FaultTarget, type Release } from './faultTarget';

export interface NextDeploy {
  ms: number;
  /** The environment after it, the "previous" state of the next fault. */
  state: EnvironmentState;
  /** Whether it changed the environment (false: the fault had already switched it). */
  changed: boolean;
}

/**
 * The deploy after a fault, started at once (no waiting for a lock to expire): it succeeds, the environment
 * serves the release under the digest the CLI reports, the history gains exactly that one line (none when
 * the environment already served it and said so), nothing of an earlier deploy is left running, and the
 * lock is released.
 */
export async function assertNextDeploySucceeds(target: FaultTarget, release: Release, before: EnvironmentState): Promise<NextDeploy> {
  select(target, release);
  const started = performance.now();
  const run = await runCli(deployArgs(target, '--json'), { env: target.env });
  const ms = performance.now() - started;
  assert.equal(run.code, 0, `the next deploy of ${release.version} to ${target.label} exited ${run.code}:\n${run.stderr}\n${run.stdout}`);
  const result = parseJson<ReleaseJson>(run.stdout);
  assert.equal(result.version, release.version);
  const state = await readEnvironment(target);
  assert.equal(state.version, release.version, `${target.label} serves ${state.version} after the next deploy`);
  assert.equal(state.digest, result.digest, `${target.label}: what serves is not the digest the deploy reported`);
  if (target.registry) assert.equal(state.verified, true);
  assert.deepEqual(state.history.slice(0, before.history.length), before.history);
  const entries = (lines: string[]) => lines.map((line) => JSON.parse(line) as { environment: string; version: string; digest: string });
  // A deploy that changed nothing still records what serves when a killed one switched without recording it.
  const recorded = entries(before.history).filter((e) => e.environment === target.environment).at(-1)?.digest === result.digest;
  const added = entries(state.history.slice(before.history.length));
  assert.deepEqual(added.map((e) => [e.environment, e.version, e.digest]), result.changed || !recorded ? [[target.environment, release.version, result.digest]] : [], 'history.jsonl gains the one line of this deploy');
  assert.deepEqual(await orphanContainers(target), [], `${target.label}: containers left after the next deploy`);
  assert.equal(lockState(target), 'free', 'the next deploy released the lock');
  return { ms, state, changed: result.changed };
}
