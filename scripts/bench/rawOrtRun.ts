// The validation benchmarks' reference as a command: a fresh Node process that loads onnxruntime-node,
// reads MNIST rows already parsed (float32 values laid end to end in a file), scores each row `repeats`
// times over with each model given in turn, prints how many rows it ran and the seconds from before
// onnxruntime was loaded to its last run, then exits: what any command that scores these rows pays.
import { readFileSync } from 'node:fs';
import { scoreRawRows } from './rawOrtScoring';

async function main(): Promise<void> {
  const [rowsFile, repeats, ...models] = process.argv.slice(2);
  const bytes = readFileSync(rowsFile);
  const rows = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / Float32Array.BYTES_PER_ELEMENT);
  const started = performance.now();
  let runs = 0;
  for (const model of models) runs += await scoreRawRows(model, rows, Number(repeats));
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ rows: runs, seconds })}\n`);
}

void main();
