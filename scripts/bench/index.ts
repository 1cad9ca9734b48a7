import { printBenchTable, type BenchRow } from './benchTable';
import { deployBench } from './deployBench';
import { imageBench } from './imageBench';
import { packageBench } from './packageBench';
import { routerBench } from './routerBench';
import { servingBench } from './servingBench';
import { shadowBench } from './shadowBench';
import { validationBench } from './validationBench';
import { vscodeBench } from './vscodeBench';

/** `npm run bench`: each benchmark measures ours and its reference side by side in this run. */
async function main(): Promise<void> {
  const rows: BenchRow[] = [];
  rows.push(await validationBench());
  rows.push(...(await servingBench()));
  rows.push(...(await routerBench()));
  rows.push(await shadowBench());
  rows.push(...(await imageBench()));
  rows.push(...(await deployBench()));
  rows.push(...packageBench());
  rows.push(...vscodeBench());
  const allMet = printBenchTable(rows);
  if (!allMet) console.log('\nsome goals were missed (see the verdict column)');
}

void main();
