import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CONFIG_FILE_NAME } from './projectConfig';

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.modeldeploy', 'dist', 'out', '.venv', '__pycache__']);

/** Folders under `root` (itself included) that hold a modeldeploy.yaml, sorted, at most `maxDepth` deep. */
export async function findProjectDirs(root: string, maxDepth = 4): Promise<string[]> {
  const found: string[] = [];
  async function walk(dir: string, depth: number): Promise<void> {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folders are simply not projects
    }
    if (entries.some((e) => e.isFile() && e.name === CONFIG_FILE_NAME)) found.push(dir);
    if (depth >= maxDepth) return;
    await Promise.all(entries.filter((e) => e.isDirectory() && !SKIPPED_DIRS.has(e.name) && !e.name.startsWith('.')).map((e) => walk(path.join(dir, e.name), depth + 1)));
  }
  await walk(path.resolve(root), 0);
  return found.sort();
}
