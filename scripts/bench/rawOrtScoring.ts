// Raw onnxruntime-node scoring MNIST one row per run(), as the model's fixed batch demands: the validation
// benchmarks' reference, run in the bench's own process (rawOrtSeconds) or as a command of its own
// (rawOrtRun.ts).
import { onnxRuntime } from '../../src/core/model/onnxRuntime';

/** Values of one MNIST row: a 28 x 28 image. */
export const MNIST_ROW = 28 * 28;

/**
 * The session settings of both sides: those validation uses. One intra-op thread is the faster for MNIST at
 * batch 1 on two cores: raw onnxruntime ran a median 16,900 rows/s with one against 14,300 with two, over 6
 * alternating runs; inside validation the reader thread needs the other core as well.
 */
const SESSION_OPTIONS = { intraOpNumThreads: 1 };

/** Creates a session of `model` and runs each row of `rows` (MNIST rows laid end to end), `repeats` times over; the rows run. */
export async function scoreRawRows(model: string, rows: Float32Array, repeats: number): Promise<number> {
  const ort = onnxRuntime();
  const session = await ort.InferenceSession.create(model, SESSION_OPTIONS);
  let runs = 0;
  for (let pass = 0; pass < repeats; pass++) {
    for (let at = 0; at < rows.length; at += MNIST_ROW) {
      await session.run({ Input3: new ort.Tensor('float32', rows.subarray(at, at + MNIST_ROW), [1, 1, 28, 28]) });
      runs++;
    }
  }
  await session.release();
  return runs;
}

/** Seconds for scoreRawRows in this process, where Node and onnxruntime may have started already. */
export async function rawOrtSeconds(model: string, rows: Float32Array, repeats: number): Promise<number> {
  const started = performance.now();
  await scoreRawRows(model, rows, repeats);
  return (performance.now() - started) / 1000;
}
