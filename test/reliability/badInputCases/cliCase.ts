import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { filesUnder, startCli, type CliResult } from '../../integration/deployFixture';
import { assertNothingLeftBehind, removeProjectResources, setConfig, snapshotEngine, uniqueName } from '../../integration/engineFixture';
import { copyExample, makeProject } from '../../support/projectFixture';

/** A bad input to the command line: what to write, what to run, and the refusal it must get. */
export interface CliCase {
  name: string;
  /** Files written over a copy of examples/iris (or into an empty folder with `start: 'empty'`). */
  files?: Record<string, string | Buffer>;
  start?: 'iris' | 'empty';
  /** What files cannot express: a folder, a link, a file built from another. */
  prepare?: (dir: string) => void;
  /** Run in the project folder, with --json added. */
  args: string[];
  exit: number;
  /** The message, with where the problem is (file:line:col, file:line, file name, field or environment). */
  error: RegExp;
  /** The command reaches the Docker engine: the project gets a unique name and the engine is checked for leftovers. */
  engine?: boolean;
}

/** Every case must end within this; a case that hangs is killed and fails. */
export const CASE_TIME_LIMIT_MS = 60_000;

export interface TimedRun extends CliResult {
  seconds: number;
}

/** Runs the shipped CLI bundle in its own process, killed when it passes the time limit. */
export async function runBounded(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<TimedRun> {
  const started = performance.now();
  const running = startCli(args, options);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      running.child.kill('SIGKILL');
      reject(new Error(`modeldeploy ${args.join(' ')} hung: no exit within ${CASE_TIME_LIMIT_MS / 1000} s\n${running.stderr()}`));
    }, CASE_TIME_LIMIT_MS);
  });
  try {
    const result = await Promise.race([running.done, limit]);
    return { ...result, seconds: (performance.now() - started) / 1000 };
  } finally {
    clearTimeout(timer);
  }
}

/** What every refusal owes its user: the designed exit code, a message that says where, no stack, one JSON error on stdout. */
export function assertClearRefusal(run: CliResult, expected: { exit: number; error: RegExp }): void {
  assert.equal(run.code, expected.exit, `exit code; stderr:\n${run.stderr}`);
  assert.ok(run.stderr.trim(), 'stderr says what is wrong');
  assert.match(run.stderr, expected.error);
  assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(run.stderr, /internal error/i);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, 1, `one JSON object on stdout, got:\n${run.stdout}`);
  const { error } = JSON.parse(lines[0]) as { error?: { message?: string; exitCode?: number } };
  assert.ok(error?.message, `a JSON error with a message: ${lines[0]}`);
  assert.equal(error.exitCode, expected.exit);
}

/** Files under a folder, relative to it, sorted. */
export function relativeFiles(dir: string): string[] {
  return filesUnder(dir)
    .map((file) => path.relative(dir, file))
    .sort();
}

function configVersion(dir: string): string | undefined {
  return /^version:\s*'?([^'\s]+)/m.exec(fs.readFileSync(path.join(dir, 'modeldeploy.yaml'), 'utf8'))?.[1];
}

/** What a run left behind: new files in the project, files in its private temp folder, engine objects. */
export interface CaseOutcome {
  seconds: number;
  leftovers: string[];
}

/** Makes the case's project, runs it, checks the refusal; the leftovers are returned for the caller to count and check. */
export async function runCliCase(c: CliCase): Promise<CaseOutcome> {
  const project = c.start === 'empty' ? makeProject({}) : copyExample('iris');
  // The child's own temp folder: whatever it leaves there is a leftover outside the project.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-bad-input-tmp-'));
  const name = c.engine ? uniqueName('bad-input') : undefined;
  try {
    for (const [file, content] of Object.entries(c.files ?? {})) {
      fs.mkdirSync(path.dirname(path.join(project.dir, file)), { recursive: true });
      fs.writeFileSync(path.join(project.dir, file), content);
    }
    c.prepare?.(project.dir);
    if (name) setConfig(project.dir, { name });
    const engine = name ? await snapshotEngine(name, `${name}:${configVersion(project.dir)}`) : undefined;
    const filesBefore = relativeFiles(project.dir);
    const run = await runBounded([...c.args, '--json'], { cwd: project.dir, env: { TMPDIR: tmp } });
    assertClearRefusal(run, c);
    const leftovers = [...relativeFiles(project.dir).filter((f) => !filesBefore.includes(f)).map((f) => `project file ${f}`), ...relativeFiles(tmp).map((f) => `temp file ${f}`)];
    if (engine) await assertNothingLeftBehind(engine).catch((error: Error) => leftovers.push(`engine: ${error.message}`));
    return { seconds: run.seconds, leftovers };
  } finally {
    if (name) await removeProjectResources(name);
    project.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
