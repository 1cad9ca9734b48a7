import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CancelledError, UserError } from '../../src/core/errors';
import { loadProject } from '../../src/core/project/loadProject';
import { validateProject } from '../../src/core/validation/validateProject';
import { runCoreTasksOnCallingThread, runInWorker } from '../../src/core/worker/runInWorker';
import { makeMnistProject } from '../support/mnistProject';
import { EXAMPLES, makeProject } from '../support/projectFixture';

/** The id the next thread started in this process gets: thread ids count up, one per thread. */
async function nextThreadId(): Promise<number> {
  const probe = new Worker('', { eval: true });
  const id = probe.threadId;
  await new Promise((resolve) => probe.once('exit', resolve));
  return id;
}

describe('core tasks on the calling thread, as the command line runs them', function () {
  this.timeout(120_000);
  const iris = path.join(EXAMPLES, 'iris', 'model', 'iris-v2.onnx');
  let project: { dir: string; cleanup: () => void };
  before(() => {
    project = makeProject({ 'text.onnx': 'not a model\n' });
  });
  after(() => project.cleanup());
  beforeEach(() => runCoreTasksOnCallingThread());
  afterEach(() => runCoreTasksOnCallingThread(false));

  it('runs a task without starting a thread, with the same result as on a worker thread', async () => {
    const before = await nextThreadId();
    const here = await runInWorker('inspect', { file: iris });
    assert.equal(await nextThreadId(), before + 1, 'only the probes started threads');
    runCoreTasksOnCallingThread(false);
    assert.deepEqual(here, await runInWorker('inspect', { file: iris }));
  });

  it("passes on a task's user error with its location and hint", async () => {
    const file = path.join(project.dir, 'text.onnx');
    await assert.rejects(runInWorker('inspect', { file }), (error: unknown) => error instanceof UserError && error.location?.file === file && /not an ONNX model/.test(error.message) && /export the model to ONNX/.test(error.hint ?? ''));
  });

  it('refuses a task whose signal is already aborted, and ends a cancelled one with a CancelledError', async () => {
    await assert.rejects(runInWorker('inspect', { file: iris }, { signal: AbortSignal.abort() }), CancelledError);
    const mnist = makeMnistProject();
    try {
      const cancel = new AbortController();
      const validating = validateProject(loadProject(mnist.dir), { signal: cancel.signal, onProgress: () => cancel.abort() });
      await assert.rejects(validating, CancelledError);
    } finally {
      mnist.cleanup();
    }
  });

  it('still scores a fixed-batch model on a second session of its own thread, to the same metrics', async () => {
    const mnist = makeMnistProject();
    try {
      const here = await validateProject(loadProject(mnist.dir));
      assert.ok((here.secondSessionRows ?? 0) > 0, `rows scored on the second session: ${here.secondSessionRows}`);
      runCoreTasksOnCallingThread(false);
      const onWorker = await validateProject(loadProject(mnist.dir));
      assert.deepEqual(here.metrics, onWorker.metrics);
      assert.equal(here.metrics.accuracy, 0.9891);
    } finally {
      mnist.cleanup();
    }
  });
});
