import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root, from the compiled out/scripts/bench/ folder. */
export const REPO = path.resolve(__dirname, '../../..');

/** The middle value (the upper one of an even count): what each benchmark compares. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Bytes of the files under a folder (0 when it does not exist). */
export function duBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).reduce((sum, e) => (e.isFile() ? sum + fs.statSync(path.join(e.parentPath, e.name)).size : sum), 0);
}
