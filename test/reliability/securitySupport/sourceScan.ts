import * as fs from 'node:fs';
import * as path from 'node:path';

/** Every .ts file under a folder, relative to `root`. */
export function sourceFiles(root: string, dir: string): string[] {
  return fs
    .readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(dir, file))
    .sort();
}

export interface ProcessSite {
  file: string;
  line: number;
  text: string;
  /** The call up to its first argument, as `spawn(program`. */
  call?: string;
}

/** How a source file starts processes: the child_process functions it imports, and each call of them. */
export interface ProcessUse {
  imported: string[];
  sites: ProcessSite[];
  /** `shell:` options that are not `false`, anywhere in the file. */
  shellOptions: ProcessSite[];
}

const CHILD_PROCESS_IMPORT = /import\s*\{([^}]*)\}\s*from\s*['"](?:node:)?child_process['"]|import\s+\*\s+as\s+(\w+)\s+from\s*['"](?:node:)?child_process['"]|require\(\s*['"](?:node:)?child_process['"]\s*\)/g;

/**
 * Reads a file's use of child_process: named imports (with `as` aliases), a namespace import (any call
 * on it counts), promisified wrappers (`const run = promisify(execFile)`), and the lines that call them.
 */
export function processUse(root: string, file: string): ProcessUse {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const lines = text.split('\n');
  const imported: string[] = [];
  const callables: string[] = [];
  for (const match of text.matchAll(CHILD_PROCESS_IMPORT)) {
    if (match[1] !== undefined) {
      for (const part of match[1].split(',').map((p) => p.trim()).filter(Boolean)) {
        const [name, alias] = part.split(/\s+as\s+/);
        imported.push(name);
        callables.push(alias ?? name);
      }
    } else if (match[2] !== undefined) {
      imported.push(`* as ${match[2]}`);
      callables.push(`${match[2]}\\.\\w+`);
    } else imported.push('require(child_process)');
  }
  for (const match of text.matchAll(/const\s+(\w+)\s*=\s*promisify\((\w+)\)/g)) if (callables.includes(match[2])) callables.push(match[1]);
  const call = callables.length ? new RegExp(`(?<![\\w.])(?:${callables.join('|')})\\([^,)]*`) : undefined;
  const sites: ProcessSite[] = [];
  const shellOptions: ProcessSite[] = [];
  lines.forEach((line, index) => {
    const site = { file, line: index + 1, text: line.trim() };
    const called = call?.exec(line);
    if (called && !/^\s*(import|\/\/|\*)/.test(line) && !/promisify\(/.test(line)) sites.push({ ...site, call: called[0] });
    if (/\bshell\s*:\s*(?!false\b)/.test(line)) shellOptions.push(site);
  });
  return { imported, sites, shellOptions };
}

/** A function's source, from `function NAME(` to its closing brace at the start of a line. */
export function functionSource(text: string, name: string): string | undefined {
  const start = text.search(new RegExp(`function ${name}\\(`));
  if (start < 0) return undefined;
  const end = text.indexOf('\n}\n', start);
  return end < 0 ? undefined : text.slice(start, end + 2);
}
