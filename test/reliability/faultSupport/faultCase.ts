import * as assert from 'node:assert/strict';
import { pollUntil, startCli, type CliResult } from '../../integration/deployFixture';
import { recordFigure } from '../figures';
import type { DeployStep } from './deploySteps';
import { lockState, readEnvironment, readHistoryLines } from './environmentState';
import { deployArgs, select, type FaultTarget, type Release } from './faultTarget';
import { holdRequestOnActiveVersion } from './heldRequest';
import { assertEnvironmentIntact, type Intact, type IntactOptions } from './invariants';
import { assertNextDeploySucceeds, type NextDeploy } from './nextDeploy';

/** Bounds a wait: a fault that never shows fails the test instead of hanging it. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`gave up after ${ms / 1000} s waiting for ${what}`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A clear failure: the exit code, one line saying what, no stack trace. */
export function assertClearFailure(result: CliResult, pattern: RegExp): void {
  assert.equal(result.code, 2, `exit code; stderr:\n${result.stderr}`);
  assert.match(result.stderr, pattern);
  assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(result.stderr, /internal error/, 'reported as a problem to fix, not a crash');
}

export interface Fault {
  name: string;
  /** The release whose deploy the fault hits; the next deploy deploys it. */
  release: Release;
  /** Injects the fault and checks what the CLI said; resolves once that CLI has ended. */
  inject: () => Promise<Pick<IntactOptions, 'killed' | 'mayHaveSwitched'>>;
  /** Undoes the fault itself (the registry back up, the port freed, the image fixed) before the checks. */
  repair?: () => Promise<void>;
}

/** The first deploy of a target, checked as any next deploy (before it: nothing served, no history tags). */
export async function firstDeploy(target: FaultTarget, release: Release): Promise<void> {
  await assertNextDeploySucceeds(target, release, { history: readHistoryLines(target.project.dir), historyTags: {} });
}

function figureOf(target: FaultTarget, intact: Intact, next: NextDeploy): string {
  const how = target.registry ? ', tag verified' : ' through its router';
  const serves = intact.served ? `serves ${intact.served}${how}${intact.switched ? ' (the new version: killed after the switch)' : ''}` : 'serves nothing, as before';
  const history = `history +${intact.historyAdded}${intact.recorded ? '' : ' (the switch recorded by the next deploy)'}`;
  const orphans = intact.orphans.length ? `orphans ${intact.orphans.length} until the next deploy, then 0` : 'orphans 0';
  const lock = intact.lock === 'stale' ? "the dead process's lock taken over" : 'lock free';
  return `after: ${serves}, ${history}, ${orphans}, ${lock}, next deploy ok in ${(next.ms / 1000).toFixed(1)} s`;
}

/**
 * One fault against a target: read what it serves, inject the fault, check the invariants, then the next
 * deploy; records the row of the table (failed rows too).
 */
export async function checkFault(target: FaultTarget, fault: Fault): Promise<void> {
  const check = `${target.label}: ${fault.name}`;
  try {
    const before = await readEnvironment(target);
    const outcome = await fault.inject();
    await fault.repair?.();
    const intact = await assertEnvironmentIntact(target, before, { attempted: fault.release, ...outcome });
    const next = await assertNextDeploySucceeds(target, fault.release, await readEnvironment(target));
    recordFigure('faults', check, figureOf(target, intact, next), true);
  } catch (error) {
    recordFigure('faults', check, `failed: ${(error as Error).message.split('\n')[0]}`, false);
    throw error;
  }
}

/** A deploy killed with SIGKILL when its stderr first shows a step. */
export function killAtStep(target: FaultTarget, release: Release, step: DeployStep): Fault {
  return {
    name: `SIGKILL at "${step.name}"`,
    release,
    inject: async () => {
      select(target, release);
      const held = step.afterSwitch ? await holdRequestOnActiveVersion(target) : undefined;
      const cli = startCli(deployArgs(target), { env: target.env });
      try {
        await within(cli.waitForStderr(step.stderr), 180_000, `the deploy to reach "${step.name}"`);
        if (held) await pollUntil(async () => (await readEnvironment(target)).version === release.version, `${target.label} to serve ${release.version}`, 30_000);
      } finally {
        // Before the held request goes: that would let the deploy go on.
        cli.child.kill('SIGKILL');
        held?.release();
      }
      const result = await cli.done;
      assert.equal(result.code, null, `the CLI was killed at "${step.name}"; stderr:\n${result.stderr}`);
      assert.equal(lockState(target), 'stale', 'the killed CLI left its lock, naming a process that is gone');
      return { killed: true, mayHaveSwitched: step.maySwitch };
    },
  };
}
