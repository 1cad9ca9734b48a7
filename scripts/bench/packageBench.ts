import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { BenchRow } from './benchTable';
import { REPO } from './measure';

const MAX_PACKAGE_MB = 60;

/**
 * The size of each platform's .vsix, made by the packaging script as `npm run package` makes it, against the
 * one package that would carry every platform's onnxruntime files (made by the same script in the same run).
 */
export function packageBench(): BenchRow[] {
  const output = execFileSync(process.execPath, [path.join(REPO, 'scripts', 'package.mjs'), '--target', 'universal', ...['linux-x64', 'linux-arm64', 'darwin-arm64', 'win32-x64', 'win32-arm64'].flatMap((t) => ['--target', t])], { cwd: REPO, encoding: 'utf8' });
  const sizes = new Map([...output.matchAll(/^package: (\S+)\s+([\d.]+) MB/gm)].map((m) => [m[1], Number(m[2])]));
  const universal = sizes.get('universal');
  if (universal === undefined) throw new Error(`the packaging script printed no universal size:\n${output}`);
  return [...sizes].filter(([target]) => target !== 'universal').map(([target, mb]) => ({
    name: `.vsix size, ${target}`,
    ours: mb,
    reference: universal,
    unit: 'MB',
    maxValue: MAX_PACKAGE_MB,
    note: `reference: one package with every platform's onnxruntime files (${universal} MB); ours: the ${target} files for the extension host, plus the linux x64 and arm64 files images are built from`,
  }));
}
