// The validation benchmarks' reference as a command: a fresh Node process that loads onnxruntime-node,
// reads MNIST rows already parsed (float32 values laid end to end in a file), scores each row `repeats`
// times over and prints how many it ran, then exits: what any command that scores these rows pays.
import { readFileSync } from 'node:fs';
import { scoreRawRows } from './rawOrtScoring';

async function main(): Promise<void> {
  const [model, rowsFile, repeats] = process.argv.slice(2);
  const bytes = readFileSync(rowsFile);
  const rows = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / Float32Array.BYTES_PER_ELEMENT);
  const runs = await scoreRawRows(model, rows, Number(repeats));
  process.stdout.write(`${JSON.stringify({ rows: runs })}\n`);
}

void main();
