// A child process that runs onnxruntime in-process on batches of a given size for a while and prints rows
// per second: the model's cost alone, pinned to the core the server gets.
import { elementCount } from '../../src/core/model/elementCount';
import { onnxRuntime } from '../../src/core/model/onnxRuntime';
import { readyMadeRows, serverSession } from './serverSession';

async function main(): Promise<void> {
  const [model, inputName, batchText, rowShapeText, durationText] = process.argv.slice(2);
  const batch = Number(batchText);
  const rowShape = JSON.parse(rowShapeText) as number[];
  const rowSize = elementCount(rowShape);
  const ort = onnxRuntime();
  // The session the server makes, with its settings, run the way it runs it.
  const { session, fetches } = await serverSession(model);
  const tensor = new ort.Tensor('float32', readyMadeRows(batch, rowSize), [batch, ...rowShape]);
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
