import { spawn } from 'node:child_process';
import { UserError } from '../errors';

/** What a helper's `get` prints: Username "<token>" means Secret is an identity token. */
export interface HelperCredentials {
  ServerURL?: string;
  Username?: string;
  Secret?: string;
}

export type HelperAction = 'get' | 'store' | 'erase';

const HELPER_TIMEOUT_MS = 60_000;
/** What Docker's helpers print (and exit 1 with) when they hold nothing for a server. */
const NOT_FOUND = /credentials not found/i;

/**
 * Runs `docker-credential-<name> <action>` the way Docker does: the input (a server URL, or the JSON to
 * store) on stdin, the answer on stdout. `get` of an unknown server answers undefined. Failures name the
 * helper and carry its own first line of error output, never what went in or came out on success.
 */
export function runCredentialHelper(name: string, action: HelperAction, input: string, env: NodeJS.ProcessEnv, whence: string): Promise<string | undefined> {
  const program = `docker-credential-${name}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, [action], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new UserError(`the credential helper ${program} (${whence}) did not answer "${action}" within ${HELPER_TIMEOUT_MS / 1000} s`, undefined, `check that ${program} works on its own: echo SERVER | ${program} get`));
    }, HELPER_TIMEOUT_MS);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    // A helper that exits before reading its input must not crash us with EPIPE.
    child.stdin.on('error', () => undefined);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new UserError(`the credential helper ${program} (${whence}) is not installed or not on PATH`, undefined, `install ${program}, or remove "${name}" from Docker's config`)
          : new UserError(`the credential helper ${program} (${whence}) could not be started: ${error.message}`),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) return resolve(stdout);
      const said = firstLine(Buffer.concat(err).toString('utf8')) || firstLine(stdout);
      if (action !== 'store' && NOT_FOUND.test(said)) return resolve(undefined);
      reject(new UserError(`the credential helper ${program} (${whence}) failed on "${action}"${said ? `: ${said}` : ` with exit code ${code}`}`, undefined, `check that ${program} works on its own, or log in again with docker login`));
    });
    child.stdin.end(input);
  });
}

/** A helper's first line of output, for a message; a JSON answer is never echoed (it could hold a secret). */
function firstLine(text: string): string {
  const line = text.trim().split('\n')[0]?.trim() ?? '';
  if (line.startsWith('{')) return '';
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

/** Parses a helper's `get` answer. */
export function parseHelperAnswer(stdout: string, program: string): HelperCredentials {
  try {
    const parsed = JSON.parse(stdout) as unknown;
    if (parsed && typeof parsed === 'object') return parsed as HelperCredentials;
  } catch {
    // reported below without the text, which may hold the secret
  }
  throw new UserError(`the credential helper ${program} answered "get" with something that is not JSON`, undefined, `check that ${program} works on its own: echo SERVER | ${program} get`);
}
