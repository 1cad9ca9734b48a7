import { UserError } from '../errors';
import { describeLogin, type RegistryCredentials } from './credentials';
import type { ConnectionError } from './registryHttp';

/**
 * The messages of a registry that said no, or could not be reached. They name the host and the user,
 * never a password or token: those stay in request headers and bodies only.
 */

export function loginHint(host: string): string {
  return `run "modeldeploy login --registry ${host}" or "docker login ${host}"`;
}

/** The registry's own words from an error body (`{"errors":[{"code","message"}]}`), else the status. */
export function reasonFromBody(body: Buffer, status: number): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: { code?: string; message?: string }[]; error?: string; details?: string; message?: string };
    const first = parsed.errors?.[0];
    if (first?.code || first?.message) return [first.code?.toLowerCase(), first.message].filter(Boolean).join(': ');
    const text = parsed.details ?? parsed.error ?? parsed.message;
    if (typeof text === 'string' && text) return text.slice(0, 200);
  } catch {
    // not JSON: the status says enough, and an HTML error page is no message
  }
  return `HTTP ${status}`;
}

export function needsLogin(host: string): UserError {
  return new UserError(`registry ${host} needs a login`, undefined, loginHint(host));
}

export function refusedLogin(host: string, credentials: RegistryCredentials, reason: string): UserError {
  return new UserError(`registry ${host} refused ${describeLogin(credentials)}: ${reason}`, undefined, `check the user name and password or token, then ${loginHint(host)} again`);
}

export function deniedAccess(host: string, credentials: RegistryCredentials | undefined, scopes: string[], reason: string): UserError {
  const who = credentials ? ('username' in credentials ? `user '${credentials.username}'` : 'its login') : 'an anonymous client';
  const what = scopes.length ? ` to ${scopes.join(' and ')}` : '';
  return new UserError(`registry ${host} denied ${who} access${what}: ${reason}`, undefined, credentials ? 'ask the registry\'s administrator for this access, or log in as a user who has it' : loginHint(host));
}

export function notReachable(host: string, error: ConnectionError): UserError {
  const hint =
    error.reason === 'it does not speak HTTPS'
      ? 'registries other than localhost and 127.x.x.x are reached over HTTPS; give this one a TLS certificate, or reach it through localhost (an SSH tunnel)'
      : /certificate/.test(error.reason)
        ? 'trust its certificate authority (NODE_EXTRA_CA_CERTS=ca.pem) or give the registry a certificate from a trusted one'
        : `check that the registry runs and that "${host}" is its address (host:port)`;
  return new UserError(`registry ${host} is not reachable: ${error.reason}`, undefined, hint);
}

export function tokenServiceNotReachable(host: string, realm: URL, error: ConnectionError): UserError {
  return new UserError(`the token service ${realm.origin} of registry ${host} is not reachable: ${error.reason}`, undefined, 'check the network; the registry names this service in its WWW-Authenticate challenge');
}

export function unexpectedAnswer(host: string, what: string, status: number, body: Buffer): UserError {
  return new UserError(`registry ${host} answered ${status} to ${what}: ${reasonFromBody(body, status)}`, undefined, status >= 500 ? 'the registry failed; see its logs, and try again' : undefined);
}
