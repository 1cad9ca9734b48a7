import { UserError } from '../core/errors';

/** Reads a password from stdin (piped, never an argument: arguments show in `ps` and shell history). */
export async function readSecret(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (stdin.isTTY) throw new UserError('the password is read from stdin, not typed', undefined, 'pipe it: echo "$PASSWORD" | modeldeploy login --registry HOST --username USER');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  const secret = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (!secret) throw new UserError('no password on stdin', undefined, 'pipe it: echo "$PASSWORD" | modeldeploy login --registry HOST --username USER');
  return secret;
}
