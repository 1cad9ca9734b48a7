import { printBenchTable, type BenchRow } from './benchTable';
import { imageBench } from './imageBench';
import { servingBench } from './servingBench';
import { validationBench } from './validationBench';

/** `npm run bench`: each benchmark measures ours and its reference side by side in this run. */
async function main(): Promise<void> {
  const rows: BenchRow[] = [];
  rows.push(await validationBench());
  rows.push(...(await servingBench()));
  rows.push(...(await imageBench()));
  const allMet = printBenchTable(rows);
  if (!allMet) console.log('\nsome goals were missed (see the verdict column)');
}

void main();
