import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../errors';
import { parseHelperAnswer, runCredentialHelper } from './credentialHelper';
import type { CredentialSource, RegistryCredentials } from './credentials';
import { dockerServerAddress, matchingKey } from './registryHost';

/** The parts of Docker's config.json that hold logins; every other key is kept as it is when writing. */
export interface DockerConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string; username?: string; password?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

/** Username a helper stores with an identity token instead of a password. */
const TOKEN_USER = '<token>';

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`: where the docker CLI keeps its logins. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
  return path.join(dir, 'config.json');
}

/** Docker's config, or an empty one when there is no file (Docker then has no logins either). */
export function readDockerConfig(file: string): DockerConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UserError(`cannot read Docker's config ${file}: ${(error as Error).message}`);
  }
  if (!text.trim()) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as DockerConfigFile;
  } catch {
    // reported below
  }
  throw new UserError(`Docker's config ${file} is not a JSON object`, { file }, 'fix or remove the file, then log in again with docker login');
}

/** The helper that holds the host's login, as Docker picks it: `credHelpers[host]`, else `credsStore`. */
export function helperFor(config: DockerConfigFile, host: string): { name: string; whence: string } | undefined {
  const key = matchingKey(config.credHelpers, host);
  if (key && config.credHelpers?.[key]) return { name: config.credHelpers[key], whence: `credHelpers["${key}"]` };
  if (config.credsStore) return { name: config.credsStore, whence: 'credsStore' };
  return undefined;
}

/** The login stored inline in `auths` for a host: `auth` (base64 user:password) or `identitytoken`. */
export function inlineLogin(config: DockerConfigFile, host: string, file = 'config.json'): RegistryCredentials | undefined {
  const key = matchingKey(config.auths, host);
  const entry = key ? config.auths?.[key] : undefined;
  if (!entry || typeof entry !== 'object') return undefined;
  if (entry.identitytoken) return { identityToken: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new UserError(`the login for ${key} in Docker's config ${file} is not base64 of user:password`, { file, field: `auths.${key}.auth` }, `log in again: docker login ${host}`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  return undefined;
}

function fromHelperAnswer(stdout: string, program: string): RegistryCredentials | undefined {
  const answer = parseHelperAnswer(stdout, program);
  if (!answer.Secret) return undefined;
  if (answer.Username === TOKEN_USER) return { identityToken: answer.Secret };
  return { username: answer.Username ?? '', password: answer.Secret };
}

/**
 * Logins from Docker's own config, read on every request so that a `docker login` meanwhile counts:
 * a credential helper when one is named for the host, else the inline `auths` entry.
 */
export function dockerConfigCredentials(env: NodeJS.ProcessEnv = process.env): CredentialSource {
  return {
    async get(host) {
      const file = dockerConfigPath(env);
      const config = readDockerConfig(file);
      const helper = helperFor(config, host);
      if (helper) {
        const stdout = await runCredentialHelper(helper.name, 'get', dockerServerAddress(host), env, `${helper.whence} in ${file}`);
        const found = stdout === undefined ? undefined : fromHelperAnswer(stdout, `docker-credential-${helper.name}`);
        if (found) return found;
      }
      return inlineLogin(config, host, file);
    },
  };
}

/** Writes the config the way Docker does: 0600, every other key kept, replaced atomically. */
function writeDockerConfig(file: string, config: DockerConfigFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const partial = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.writeFileSync(partial, `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600 });
    fs.renameSync(partial, file);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw new UserError(`cannot write Docker's config ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, undefined, 'check the folder\'s permissions, or set DOCKER_CONFIG to a folder you can write');
  }
}

/** Saves a login as `docker login` does: into the helper the config names, else inline into `auths`. */
export async function storeDockerLogin(host: string, credentials: RegistryCredentials, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const file = dockerConfigPath(env);
  const config = readDockerConfig(file);
  const helper = helperFor(config, host);
  const serverAddress = dockerServerAddress(host);
  if (helper) {
    const [Username, Secret] = 'identityToken' in credentials ? [TOKEN_USER, credentials.identityToken] : [credentials.username, credentials.password];
    await runCredentialHelper(helper.name, 'store', JSON.stringify({ ServerURL: serverAddress, Username, Secret }), env, `${helper.whence} in ${file}`);
    return;
  }
  const key = matchingKey(config.auths, host) ?? serverAddress;
  const entry = 'identityToken' in credentials ? { identitytoken: credentials.identityToken } : { auth: Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64') };
  writeDockerConfig(file, { ...config, auths: { ...config.auths, [key]: entry } });
}

/** Forgets a login as `docker logout` does; true when there was one to forget. */
export async function removeDockerLogin(host: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const file = dockerConfigPath(env);
  const config = readDockerConfig(file);
  const helper = helperFor(config, host);
  let removed = false;
  if (helper) removed = (await runCredentialHelper(helper.name, 'erase', dockerServerAddress(host), env, `${helper.whence} in ${file}`)) !== undefined;
  const auths = { ...config.auths };
  for (let key = matchingKey(auths, host); key !== undefined; key = matchingKey(auths, host)) {
    delete auths[key];
    removed = true;
  }
  if (Object.keys(auths).length !== Object.keys(config.auths ?? {}).length) writeDockerConfig(file, { ...config, auths });
  return removed;
}
