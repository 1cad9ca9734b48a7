import { printBenchTable, type BenchRow } from './benchTable';
import { deployBench } from './deployBench';
import { imageBench } from './imageBench';
import { packageBench } from './packageBench';
import { routerBench } from './routerBench';
import { servingBench } from './servingBench';
import { shadowBench } from './shadowBench';
import { validationBench } from './validationBench';
import { vscodeBench } from './vscodeBench';

type Bench = () => BenchRow | BenchRow[] | Promise<BenchRow | BenchRow[]>;

const BENCHES: [string, Bench][] = [
  ['validation', validationBench],
  ['serving', servingBench],
  ['router', routerBench],
  ['shadow', shadowBench],
  ['image', imageBench],
  ['deploy', deployBench],
  ['package', packageBench],
  ['vscode', vscodeBench],
];

/**
 * `npm run bench`: each benchmark measures ours and its reference side by side in this run. One that
 * fails is reported and the others still run, so a long run's figures are not lost to one broken part.
 */
async function main(): Promise<void> {
  const rows: BenchRow[] = [];
  const failed: string[] = [];
  for (const [name, bench] of BENCHES) {
    try {
      rows.push(...[await bench()].flat());
    } catch (err) {
      failed.push(name);
      console.error(`bench ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const allMet = printBenchTable(rows);
  if (!allMet) console.log('\nsome goals were missed (see the verdict column)');
  if (failed.length) {
    console.log(`\nthese benchmarks failed and are not in the table: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

void main();
