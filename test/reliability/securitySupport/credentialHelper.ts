import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A Docker credential helper `docker-credential-NAME` in `dir`/bin that answers `get` from a login it
 * was given (stdin: the server; stdout: JSON), as Docker runs them; and the PATH that finds it.
 */
export function installCredentialHelper(dir: string, name: string, logins: Record<string, { username: string; password: string }>): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const store = Object.fromEntries(Object.entries(logins).map(([host, l]) => [host, { Username: l.username, Secret: l.password }]));
  fs.writeFileSync(path.join(dir, 'helper-store.json'), JSON.stringify(store));
  const script = `#!/usr/bin/env node
const store = JSON.parse(require('fs').readFileSync(${JSON.stringify(path.join(dir, 'helper-store.json'))}, 'utf8'));
let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  const entry = store[input.trim()];
  if (process.argv[2] !== 'get' || !entry) { process.stdout.write('credentials not found in native keychain\\n'); process.exit(1); }
  process.stdout.write(JSON.stringify({ ServerURL: input.trim(), ...entry }));
});
`;
  fs.writeFileSync(path.join(bin, `docker-credential-${name}`), script, { mode: 0o755 });
  return `${bin}${path.delimiter}${process.env.PATH ?? ''}`;
}
