import * as assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { wakeOnOutput, type OutputWake } from '../../src/core/container/outputWake';
import { docker, uniqueName } from './engineFixture';

const BASE = 'node:20-bookworm-slim';
// Far longer than the test's own timeout: a turn that ends came from the container, not from the timer.
const NEVER_MS = 10 * 60_000;

describe('a readiness wait wakes on the container output (real Docker engine)', function () {
  this.timeout(30_000);
  const containers: Docker.Container[] = [];
  after(async () => {
    await Promise.all(containers.map((c) => c.remove({ force: true }).catch(() => undefined)));
  });

  /** Creates a container running `script`, attaches to its output, starts it and runs `body`; detaches after. */
  async function withStartedContainer(script: string, body: (output: OutputWake, container: Docker.Container) => Promise<void>): Promise<void> {
    const container = await docker.createContainer({ name: uniqueName('it-wake'), Image: BASE, Cmd: ['sh', '-c', script], HostConfig: { AutoRemove: false } });
    containers.push(container);
    const output = await wakeOnOutput(container);
    try {
      await container.start();
      await body(output, container);
    } finally {
      output.close();
    }
  }

  it('ends a turn when the container writes, and at once for output written between turns', async () => {
    await withStartedContainer('sleep 1; echo listening; sleep 1; echo ready >&2; sleep 60', async (output) => {
      const started = performance.now();
      await output.next(NEVER_MS);
      assert.ok(performance.now() - started >= 500, 'the first turn waited for the first line');
      // The second line comes while nobody waits: the next turn ends at once.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const before = performance.now();
      await output.next(NEVER_MS);
      assert.ok(performance.now() - before < 1000, 'output written between turns ends the next turn at once');
    });
  });

  it('ends a turn when the container exits without a word, so that the wait sees it stopped', async () => {
    await withStartedContainer('sleep 1; exit 3', async (output, container) => {
      await output.next(NEVER_MS);
      const state = (await container.wait()) as { StatusCode: number };
      assert.equal(state.StatusCode, 3);
    });
  });

  it('without output, a turn ends after its time', async () => {
    await withStartedContainer('sleep 60', async (output) => {
      const started = performance.now();
      await output.next(300);
      assert.ok(performance.now() - started >= 290);
    });
  });
});
