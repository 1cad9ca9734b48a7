import { normalizeRegistryHost } from './registryHost';

/** A login for one registry: a user and password, or an identity (refresh) token from an earlier login. */
export type RegistryCredentials = { username: string; password: string } | { identityToken: string };

/**
 * The port through which core asks for a registry login. The CLI and the extension implement it (Docker's
 * config, VS Code's secret storage); core never reads a secret from settings files.
 */
export interface CredentialSource {
  get(host: string): Promise<RegistryCredentials | undefined>;
}

/** What dockerode wants as `authconfig` to push or pull through the engine. */
export type EngineAuthConfig = { username: string; password: string; serveraddress: string } | { identitytoken: string; serveraddress: string };

export function hasIdentityToken(credentials: RegistryCredentials): credentials is { identityToken: string } {
  return 'identityToken' in credentials;
}

/** Who is logging in, for messages: the user name, never the secret. */
export function describeLogin(credentials: RegistryCredentials): string {
  return hasIdentityToken(credentials) ? 'the identity token of its login' : `the credentials of user '${credentials.username}'`;
}

/** Asks each source in turn; the first that has a login for the host wins. */
export function chainCredentials(...sources: CredentialSource[]): CredentialSource {
  return {
    async get(host) {
      for (const source of sources) {
        const found = await source.get(host);
        if (found) return found;
      }
      return undefined;
    },
  };
}

/** Logins given explicitly (a login command, a test), keyed by registry host; keys match as Docker's do. */
export function staticCredentials(logins: Record<string, RegistryCredentials> | Map<string, RegistryCredentials>): CredentialSource {
  const entries = logins instanceof Map ? [...logins.entries()] : Object.entries(logins);
  return {
    async get(host) {
      const wanted = normalizeRegistryHost(host);
      return entries.find(([key]) => normalizeRegistryHost(key) === wanted)?.[1];
    },
  };
}

/** The engine's authconfig for a host, or undefined when the source has no login for it (anonymous). */
export async function engineAuthConfig(host: string, source: CredentialSource): Promise<EngineAuthConfig | undefined> {
  const credentials = await source.get(host);
  if (!credentials) return undefined;
  const serveraddress = normalizeRegistryHost(host) === 'docker.io' ? 'https://index.docker.io/v1/' : host;
  return hasIdentityToken(credentials) ? { identitytoken: credentials.identityToken, serveraddress } : { username: credentials.username, password: credentials.password, serveraddress };
}

export { dockerConfigCredentials, storeDockerLogin, removeDockerLogin } from './dockerConfig';
