import { UserError } from '../errors';
import { challengeScopes, mergeScopes, parseChallenge, type AuthChallenge } from './authChallenge';
import type { CredentialSource, RegistryCredentials } from './credentials';
import { deniedAccess, loginHint, needsLogin, refusedLogin } from './registryErrors';
import { fetchBearerToken, type BearerToken } from './registryToken';

/** What a request carried: an Authorization header, if any, and whether it was a token cached earlier. */
export interface SentAuthorization {
  header?: string;
  cached: boolean;
}

/**
 * How one client authenticates to one registry. Nothing is sent until the registry asks (a 401 with
 * WWW-Authenticate); from then on every request carries Basic credentials, or a Bearer token for exactly
 * the scopes it needs, cached per scope set until it expires.
 */
export class RegistryAuth {
  private challenge: AuthChallenge | undefined;
  private login: Promise<RegistryCredentials | undefined> | undefined;
  private readonly tokens = new Map<string, BearerToken>();

  constructor(
    private readonly host: string,
    private readonly source: CredentialSource | undefined,
    private readonly timeoutMs: number,
  ) {}

  /** The login, asked of the source once per client (again after a failure, such as a locked keychain). */
  credentials(): Promise<RegistryCredentials | undefined> {
    this.login ??= (this.source ? this.source.get(this.host) : Promise.resolve(undefined)).catch((error: unknown) => {
      this.login = undefined;
      throw error;
    });
    return this.login;
  }

  /**
   * The Authorization header for a request that needs `scopes`, once the registry has said how; `cached`
   * when it is a token from an earlier request (the registry may have stopped accepting it).
   */
  async authorization(scopes: string[]): Promise<SentAuthorization> {
    if (!this.challenge) return { cached: false };
    if (this.challenge.scheme === 'basic') {
      const credentials = await this.credentials();
      if (!credentials) return { cached: false };
      // Docker sends an identity token to a Basic registry as the password of user "<token>".
      const [user, secret] = 'identityToken' in credentials ? ['<token>', credentials.identityToken] : [credentials.username, credentials.password];
      return { header: `Basic ${Buffer.from(`${user}:${secret}`, 'utf8').toString('base64')}`, cached: false };
    }
    const key = scopes.join(' ');
    const known = this.tokens.get(key);
    if (known && known.expiresAt > Date.now()) return { header: `Bearer ${known.token}`, cached: true };
    const token = await fetchBearerToken(this.host, this.challenge, scopes, await this.credentials(), this.timeoutMs);
    this.tokens.set(key, token);
    return { header: `Bearer ${token.token}`, cached: false };
  }

  /**
   * Reads a 401: remembers the challenge and hands back the scopes to retry with, or throws the reason a
   * retry cannot help (no login, a login refused, a token without the access). `sent` is what the refused
   * request carried.
   */
  async unauthorized(wwwAuthenticate: string | undefined, scopes: string[], sent: SentAuthorization, reason: string): Promise<string[]> {
    const challenge = parseChallenge(wwwAuthenticate);
    if (!challenge) {
      throw new UserError(`registry ${this.host} refused the request (401) without saying how to log in: ${reason}`, undefined, loginHint(this.host));
    }
    const credentials = await this.credentials();
    if (challenge.scheme === 'basic') {
      if (!credentials) throw needsLogin(this.host);
      if (sent.header?.startsWith('Basic ')) throw refusedLogin(this.host, credentials, reason);
      this.challenge = challenge;
      return scopes;
    }
    const wanted = mergeScopes(scopes, challengeScopes(challenge));
    if (sent.header?.startsWith('Bearer ')) {
      this.tokens.delete(scopes.join(' '));
      // A fresh token that is refused, for every scope the registry named, does not grant what the
      // request needs; a cached one may just have gone stale, and a new one is worth a try.
      if (!sent.cached && wanted.join(' ') === scopes.join(' ')) throw credentials ? deniedAccess(this.host, credentials, scopes, reason) : needsLogin(this.host);
    }
    this.challenge = challenge;
    return wanted;
  }
}
