import { UserError } from '../errors';
import type { AuthChallenge } from './authChallenge';
import type { RegistryCredentials } from './credentials';
import { needsLogin, reasonFromBody, refusedLogin, tokenServiceNotReachable } from './registryErrors';
import { ConnectionError, sendHttp, type HttpReply } from './registryHttp';

export interface BearerToken {
  token: string;
  /** When to stop using it (ms since the epoch), a little before the registry does. */
  expiresAt: number;
}

/** The spec's default lifetime when the token service gives none. */
const DEFAULT_EXPIRES_IN_S = 60;
const CLIENT_ID = 'modeldeploy';

/**
 * Gets a token from the realm of a Bearer challenge for a set of scopes (the distribution token spec).
 * A user and password go as Basic on a GET; an identity token is exchanged on a POST
 * (grant_type=refresh_token), as Docker does; no login asks anonymously.
 */
export async function fetchBearerToken(host: string, challenge: AuthChallenge, scopes: string[], credentials: RegistryCredentials | undefined, timeoutMs: number): Promise<BearerToken> {
  const realm = realmOf(host, challenge);
  const service = challenge.params.service;
  let reply: HttpReply;
  try {
    if (credentials && 'identityToken' in credentials) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: credentials.identityToken });
      if (service) form.set('service', service);
      if (scopes.length) form.set('scope', scopes.join(' '));
      reply = await sendHttp({ method: 'POST', url: realm, timeoutMs, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form.toString(), 'utf8') });
    } else {
      const url = new URL(realm);
      if (service) url.searchParams.set('service', service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      url.searchParams.set('client_id', CLIENT_ID);
      const headers: Record<string, string> = credentials ? { Authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}` } : {};
      reply = await sendHttp({ method: 'GET', url, timeoutMs, headers });
    }
  } catch (error) {
    if (error instanceof ConnectionError) throw tokenServiceNotReachable(host, realm, error);
    throw error;
  }
  if (reply.status === 401 || reply.status === 403) {
    throw credentials ? refusedLogin(host, credentials, reasonFromBody(reply.body, reply.status)) : needsLogin(host);
  }
  if (reply.status !== 200) {
    throw new UserError(`the token service ${realm.origin} of registry ${host} answered ${reply.status}: ${reasonFromBody(reply.body, reply.status)}`, undefined, 'try again; if it persists, see the registry\'s token service');
  }
  return parseTokenAnswer(host, realm, reply.body);
}

function realmOf(host: string, challenge: AuthChallenge): URL {
  try {
    return new URL(challenge.params.realm ?? '');
  } catch {
    throw new UserError(`registry ${host} asked for a token without a usable realm ("${challenge.params.realm ?? ''}")`, undefined, 'the registry\'s token auth is misconfigured; tell its administrator');
  }
}

function parseTokenAnswer(host: string, realm: URL, body: Buffer): BearerToken {
  let parsed: { token?: string; access_token?: string; expires_in?: number };
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = {};
  }
  const token = parsed.token || parsed.access_token;
  if (!token) throw new UserError(`the token service ${realm.origin} of registry ${host} answered without a token`, undefined, 'the registry\'s token auth is misconfigured; tell its administrator');
  const lifetimeS = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : DEFAULT_EXPIRES_IN_S;
  // Our clock, not the service's issued_at (clocks differ); and a little early, so that a request never
  // carries a token that expires on the way.
  return { token, expiresAt: Date.now() + lifetimeS * 1000 - Math.min(10_000, (lifetimeS * 1000) / 10) };
}
