import { UserError } from '../errors';

/** Where an environment's images go: a registry host and a repository on it. */
export interface RegistryTarget {
  /** host[:port], as in an image reference ("localhost:5000", "registry.example.com"). */
  host: string;
  /** "team/iris-classifier", or "iris-classifier" when the registry string has no path. */
  repository: string;
}

/** One path component of a repository name, as the distribution spec allows it. */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;

/**
 * Splits an environment's `registry` ("localhost:5000", "127.0.0.1:5601/team", "registry.example.com/team/sub")
 * and the project name into host and repository. As in Docker, the first component is a host when it has a
 * dot or a port or is "localhost"; otherwise the whole string is a namespace on Docker Hub.
 */
export function registryTarget(registry: string, projectName: string): RegistryTarget {
  const text = registry.trim().replace(/\/+$/, '');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw new UserError(`registry "${registry}" must be host[:port][/path] without a scheme`, undefined, `write "${text.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')}": https is used, or plain http for localhost and 127.x.x.x`);
  }
  if (!text) throw new UserError('registry is empty', undefined, 'write host[:port][/path], for example localhost:5000 or registry.example.com/team');
  const [first, ...rest] = text.split('/');
  const firstIsHost = first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('[');
  const host = firstIsHost ? first : 'docker.io';
  const namespace = firstIsHost ? rest : [first, ...rest];
  const components = [...namespace, projectName];
  for (const component of components) {
    if (!PATH_COMPONENT.test(component)) {
      throw new UserError(`"${component}" cannot be part of a repository name in ${host}/${components.join('/')}`, undefined, 'use lower-case letters, digits and single separators (. _ -) between them');
    }
  }
  return { host, repository: components.join('/') };
}

/** `<host>/<repository>:<tag>`, the reference the engine pushes and pulls. */
export function imageReference(target: RegistryTarget, tag: string): string {
  return `${target.host}/${target.repository}:${tag}`;
}

/** The host without its port: "[::1]:5000" -> "::1", "localhost:5000" -> "localhost". */
export function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  return host.split(':')[0];
}

/** Loopback hosts, which Docker treats as insecure registries (plain http) without any configuration. */
export function isLoopbackHost(host: string): boolean {
  const name = hostName(host).toLowerCase();
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

export function registryScheme(host: string): 'http' | 'https' {
  return isLoopbackHost(host) ? 'http' : 'https';
}

/** The base URL of the registry's API; Docker Hub's API lives on registry-1.docker.io. */
export function registryBaseUrl(host: string): string {
  const apiHost = /^(docker\.io|index\.docker\.io)$/i.test(host) ? 'registry-1.docker.io' : host;
  return `${registryScheme(apiHost)}://${apiHost}`;
}
