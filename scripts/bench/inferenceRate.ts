// A child process that runs onnxruntime in-process on batches of a given size for a while and prints rows
// per second: the model's cost alone, pinned to the core the server gets.
import { openModelToServe } from '../../src/core/model/inspectModel';
import { DEFAULT_MODEL_THREADS } from '../../src/core/oip/modelHost';
import { onnxRuntime } from '../../src/core/model/onnxRuntime';

async function main(): Promise<void> {
  const [model, inputName, batchText, rowShapeText, durationText] = process.argv.slice(2);
  const batch = Number(batchText);
  const rowShape = JSON.parse(rowShapeText) as number[];
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const ort = onnxRuntime();
  // The session the server makes, with its settings, run the way it runs it.
  const { info, session } = await openModelToServe(model, { intraOpNumThreads: DEFAULT_MODEL_THREADS });
  const fetches = Object.fromEntries(info.outputs.map((output) => [output.name, null]));
  const values = Float32Array.from({ length: batch * rowSize }, (_, i) => (i * 37) % 256);
  const tensor = new ort.Tensor('float32', values, [batch, ...rowShape]);
  session.run({ [inputName]: tensor }, fetches);
  const started = performance.now();
  let rows = 0;
  while (performance.now() - started < Number(durationText) * 1000) {
    session.run({ [inputName]: tensor }, fetches);
    rows += batch;
  }
  process.stdout.write(`${JSON.stringify({ perSecond: rows / ((performance.now() - started) / 1000) })}\n`);
  session.release();
}

void main();
