import { execFileSync } from 'node:child_process';
import { randomBytes, sign, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type * as net from 'node:net';
import * as path from 'node:path';
import type { TokenAuthConfig } from './registryFixture';

/** One request the issuer answered, for tests to check what the client asked for. */
export interface TokenRequest {
  method: string;
  grantType?: string;
  user?: string;
  scopes: string[];
  status: number;
}

export interface TokenIssuer {
  /** What a registry in `auth: token` mode needs to trust this issuer. */
  config: TokenAuthConfig;
  requests: TokenRequest[];
  close: () => Promise<void>;
}

export interface TokenIssuerOptions {
  users: Record<string, string>;
  /** Identity (refresh) tokens -> user, for the OAuth2 POST grant_type=refresh_token. */
  refreshTokens?: Record<string, string>;
  /** Repositories under this prefix are pull-only for everyone. */
  readOnlyPrefix?: string;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * A token issuer as the distribution token spec describes one: Basic credentials (or a refresh token) in,
 * an RS256 JWT out, signed with a self-signed certificate's key and carrying that certificate in `x5c`.
 * Anonymous clients get a token with no access, as public token services hand out for private repositories.
 */
export async function startTokenIssuer(dir: string, options: TokenIssuerOptions): Promise<TokenIssuer> {
  const keyFile = path.join(dir, 'issuer-key.pem');
  const certFile = path.join(dir, 'issuer-cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=modeldeploy-test-token-issuer'], { stdio: 'ignore' });
  const key = fs.readFileSync(keyFile, 'utf8');
  const certDer = new X509Certificate(fs.readFileSync(certFile)).raw;
  const service = 'modeldeploy-test-registry';
  const issuer = 'modeldeploy-test-issuer';
  const requests: TokenRequest[] = [];

  const jwt = (user: string, scopes: string[]) => {
    const now = Math.floor(Date.now() / 1000);
    const access = user ? scopes.map(grant(options.readOnlyPrefix)).filter((a) => a.actions.length) : [];
    const head = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] }));
    const claims = base64url(JSON.stringify({ iss: issuer, sub: user, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access }));
    return `${head}.${claims}.${base64url(sign('RSA-SHA256', Buffer.from(`${head}.${claims}`), key))}`;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://issuer');
      const form = new URLSearchParams(req.method === 'POST' ? Buffer.concat(chunks).toString('utf8') : '');
      const record: TokenRequest = { method: req.method ?? '', scopes: [], status: 200 };
      let user: string | undefined = '';
      if (req.method === 'POST') {
        record.grantType = form.get('grant_type') ?? undefined;
        record.scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
        user = record.grantType === 'refresh_token' ? options.refreshTokens?.[form.get('refresh_token') ?? ''] : undefined;
      } else {
        record.scopes = url.searchParams.getAll('scope');
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
        if (basic) {
          const [name, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
          user = options.users[name] !== undefined && options.users[name] === rest.join(':') ? name : undefined;
        }
      }
      record.user = user;
      requests.push(record);
      if (user === undefined) {
        record.status = 401;
        res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ details: 'incorrect username or password' }));
        return;
      }
      const token = jwt(user, record.scopes);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    config: { realm: `http://127.0.0.1:${port}/token`, service, issuer, rootCertBundle: certFile },
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The access a scope ("repository:name:pull,push") grants a signed-in user. */
function grant(readOnlyPrefix: string | undefined) {
  return (scope: string) => {
    const [type, ...rest] = scope.split(':');
    const actions = (rest.pop() ?? '').split(',').filter(Boolean);
    const name = rest.join(':');
    const allowed = readOnlyPrefix && name.startsWith(readOnlyPrefix) ? actions.filter((a) => a === 'pull') : actions;
    return { type, name, actions: allowed };
  };
}
