/**
 * How Docker matches a registry host against the keys of its config (`auths`, `credHelpers`) and of
 * credential helpers: without the scheme and any path ("https://localhost:5000/v2/" = "localhost:5000"),
 * case-insensitive, and Docker Hub under any of its names.
 */
const DOCKER_HUB_NAMES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** The server address Docker stores Docker Hub's login under. */
export const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';

export function normalizeRegistryHost(hostOrKey: string): string {
  const host = hostOrKey
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .split('/')[0]
    .toLowerCase();
  return DOCKER_HUB_NAMES.has(host) ? 'docker.io' : host;
}

export function isDockerHub(host: string): boolean {
  return normalizeRegistryHost(host) === 'docker.io';
}

/** The server URL Docker hands a credential helper and writes into `auths` for a host. */
export function dockerServerAddress(host: string): string {
  return isDockerHub(host) ? DOCKER_HUB_SERVER : normalizeRegistryHost(host);
}

/** The key of `table` that stands for `host`, if any (an exact key first, then one that matches). */
export function matchingKey(table: Record<string, unknown> | undefined, host: string): string | undefined {
  if (!table) return undefined;
  if (Object.prototype.hasOwnProperty.call(table, host)) return host;
  const wanted = normalizeRegistryHost(host);
  return Object.keys(table).find((key) => normalizeRegistryHost(key) === wanted);
}
