import * as assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { wakeOnOutput } from '../../src/core/container/outputWake';
import { docker, uniqueName } from './engineFixture';

const BASE = 'node:20-bookworm-slim';
// Far longer than the test's own timeout: a turn that ends came from the container, not from the timer.
const NEVER_MS = 10 * 60_000;

async function created(script: string): Promise<Docker.Container> {
  return docker.createContainer({ name: uniqueName('it-wake'), Image: BASE, Cmd: ['sh', '-c', script], HostConfig: { AutoRemove: false } });
}

describe('a readiness wait wakes on the container output (real Docker engine)', function () {
  this.timeout(30_000);
  const containers: Docker.Container[] = [];
  after(async () => {
    await Promise.all(containers.map((c) => c.remove({ force: true }).catch(() => undefined)));
  });

  it('ends a turn when the container writes, and at once for output written between turns', async () => {
    const container = await created('sleep 1; echo listening; sleep 1; echo ready >&2; sleep 60');
    containers.push(container);
    const output = await wakeOnOutput(container);
    try {
      await container.start();
      const started = performance.now();
      await output.next(NEVER_MS);
      assert.ok(performance.now() - started >= 500, 'the first turn waited for the first line');
      // The second line comes while nobody waits: the next turn ends at once.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const before = performance.now();
      await output.next(NEVER_MS);
      assert.ok(performance.now() - before < 1000, 'output written between turns ends the next turn at once');
    } finally {
      output.close();
    }
  });

  it('ends a turn when the container exits without a word, so that the wait sees it stopped', async () => {
    const container = await created('sleep 1; exit 3');
    containers.push(container);
    const output = await wakeOnOutput(container);
    try {
      await container.start();
      await output.next(NEVER_MS);
      const state = (await container.wait()) as { StatusCode: number };
      assert.equal(state.StatusCode, 3);
    } finally {
      output.close();
    }
  });

  it('without output, a turn ends after its time', async () => {
    const container = await created('sleep 60');
    containers.push(container);
    const output = await wakeOnOutput(container);
    try {
      await container.start();
      const started = performance.now();
      await output.next(300);
      assert.ok(performance.now() - started >= 290);
    } finally {
      output.close();
    }
  });
});
