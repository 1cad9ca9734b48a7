import * as assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { gzipSync } from 'node:zlib';
import type Docker from 'dockerode';
import { UserError } from '../../src/core/errors';
import { httpRequest } from '../../src/core/http/httpRequest';
import { withLabels } from '../../src/core/packaging/dockerfile';
import { packBuildContext } from '../../src/core/packaging/buildContext';
import { runEngineBuild } from '../../src/core/packaging/engineBuild';
import { followProgress, type ProgressEvent } from '../../src/core/engine/progressStream';
import { staticCredentials, type CredentialSource } from '../../src/core/registry/credentials';
import { MEDIA_TYPE } from '../../src/core/registry/manifestTypes';
import type { RegistryClient } from '../../src/core/registry/registryClient';

/** Token auth for a registry: where clients get tokens, and the certificate the tokens are signed with. */
export interface TokenAuthConfig {
  realm: string;
  service: string;
  issuer: string;
  rootCertBundle: string;
}

export interface RegistryOptions {
  /** Basic auth from an htpasswd file with this one user. */
  auth?: { username: string; password: string };
  /** Bearer tokens from an issuer the test runs. */
  token?: TokenAuthConfig;
}

export interface TestRegistry {
  /** "127.0.0.1:PORT", as in an image reference. */
  host: string;
  url: string;
  /** Config, storage and log of this registry. */
  dir: string;
  /** Starts it again on the same port and storage (after stop: "the registry comes back"). */
  start: () => Promise<void>;
  /** Stops the process group; the port then refuses connections. */
  stop: () => Promise<void>;
  /** Stops it and removes its folder. */
  remove: () => Promise<void>;
  log: () => string;
}

const running = new Set<ChildProcess>();
// A test run that dies must not leave registries listening behind it.
process.on('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function configYaml(dir: string, port: number, options: RegistryOptions): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
  ];
  if (options.auth) {
    // Fails clearly (ENOENT) when apache2-utils is missing: scripts/provision/registries.sh installs it.
    execFileSync('htpasswd', ['-Bbc', path.join(dir, 'htpasswd'), options.auth.username, options.auth.password], { stdio: 'ignore' });
    lines.push('auth:', '  htpasswd:', '    realm: modeldeploy-test', `    path: ${path.join(dir, 'htpasswd')}`);
  } else if (options.token) {
    const t = options.token;
    lines.push('auth:', '  token:', `    realm: ${t.realm}`, `    service: ${t.service}`, `    issuer: ${t.issuer}`, `    rootcertbundle: ${t.rootCertBundle}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Starts Debian's docker-registry (the CNCF distribution registry) on a free loopback port with its own
 * storage, in its own process group, and waits until /v2/ answers (200, or 401 when it asks for a login).
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-registry-'));
  const port = await freePort();
  const configFile = path.join(dir, 'config.yml');
  const logFile = path.join(dir, 'registry.log');
  fs.writeFileSync(configFile, configYaml(dir, port, options));
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    const log = fs.openSync(logFile, 'a');
    child = spawn('docker-registry', ['serve', configFile], { detached: true, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    running.add(child);
    let missing = false;
    const exited = new Promise<void>((resolve) => {
      child?.once('exit', () => resolve());
      child?.once('error', (error: NodeJS.ErrnoException) => {
        missing = error.code === 'ENOENT';
        resolve();
      });
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const status = await httpRequest(`${url}/v2/`, { timeoutMs: 1000 }).then((a) => a.status, () => 0);
      if (status === 200 || status === 401) return;
      const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 100))]);
      if (missing) throw new Error('docker-registry is not installed: run bash scripts/provision/registries.sh');
      if (gone || Date.now() > deadline) {
        throw new Error(`docker-registry did not start on ${host}${gone ? ' (it exited)' : ''}:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
      }
    }
  };
  const stop = async () => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    killGroup(current, 'SIGTERM');
    const timer = setTimeout(() => killGroup(current, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    running.delete(current);
  };
  await start();
  return {
    host,
    url,
    dir,
    start,
    stop,
    remove: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    log: () => fs.readFileSync(logFile, 'utf8'),
  };
}

export interface TestImageOptions {
  /** The base image: "scratch" (default) makes a tiny image; node:20-bookworm-slim a real-sized one. */
  from?: string;
  labels?: Record<string, string>;
  /** File name -> content, one COPY (and one layer) each; by default one file with random content. */
  files?: Record<string, string>;
  /** dockerode's authconfig for the push. */
  authconfig?: Docker.AuthConfig;
}

/** Splits "host:port/repo:tag" into the name and the tag (the last colon after the last slash). */
function splitReference(reference: string): { name: string; tag: string } {
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  return colon > slash ? { name: reference.slice(0, colon), tag: reference.slice(colon + 1) } : { name: reference, tag: 'latest' };
}

/**
 * Builds a small image through the engine under `reference` ("127.0.0.1:PORT/repo:tag") and pushes it
 * there through the engine; the digest the engine reports. Every event of the push is checked for errors.
 */
export async function pushTestImage(docker: Docker, reference: string, options: TestImageOptions = {}): Promise<string> {
  const files = options.files ?? { 'payload.txt': `payload ${randomBytes(16).toString('hex')}\n` };
  const copies = Object.keys(files).map((name) => `COPY ${name} /${name}\n`).join('');
  const dockerfile = withLabels(`FROM ${options.from ?? 'scratch'}\n${copies}`, options.labels ?? {});
  const entries = [{ archivePath: 'Dockerfile', content: dockerfile }, ...Object.entries(files).map(([name, content]) => ({ archivePath: name, content }))];
  await runEngineBuild(docker, entries, { tag: reference, platform: 'linux/amd64', onOutput: () => undefined, idleTimeoutMs: 120_000 });
  const { name, tag } = splitReference(reference);
  const stream = (await docker.getImage(name).push({ tag, authconfig: options.authconfig })) as unknown as NodeJS.ReadableStream & { destroy(): void };
  let digest: string | undefined;
  await followProgress(stream, {
    what: `the push of ${reference}`,
    idleTimeoutMs: 120_000,
    onEvent: (event: ProgressEvent) => {
      if (typeof event.aux === 'object' && event.aux?.Digest) digest = event.aux.Digest;
    },
  });
  if (!digest) throw new Error(`the push of ${reference} reported no digest`);
  return digest;
}

/** Removes images from the engine, ignoring those already gone. */
export async function removeImages(docker: Docker, references: string[]): Promise<void> {
  for (const reference of references) await docker.getImage(reference).remove({ force: true }).catch(() => undefined);
}

/** Basic credentials for one registry host. */
export function basicLogin(host: string, username: string, password: string): CredentialSource {
  return staticCredentials({ [host]: { username, password } });
}

/** The UserError a call fails with (anything else fails the test). */
export async function rejection(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UserError, `expected a UserError, got ${inspect(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

/** The secret appears nowhere a user or a log could see it: message, hint, stack, or the error printed whole. */
export function assertNoSecret(error: unknown, secret: string): void {
  const e = error as UserError;
  for (const text of [e.message, e.hint ?? '', e.stack ?? '', inspect(error, { depth: 5 }), JSON.stringify(error)]) assert.ok(!text.includes(secret), `the secret leaked into: ${text}`);
}

/** A real gzipped tar layer holding one file, and the diff id (the digest of the tar) a config names. */
async function tinyLayer(content: string): Promise<{ blob: Buffer; diffId: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of packBuildContext([{ archivePath: 'hello.txt', content }])) chunks.push(Buffer.from(chunk as Buffer));
  const tar = Buffer.concat(chunks);
  return { blob: gzipSync(tar), diffId: `sha256:${createHash('sha256').update(tar).digest('hex')}` };
}

/**
 * Uploads a one-layer OCI image for a platform through the registry API alone (no engine) and tags it
 * `<architecture>-only`; its manifest bytes and digest, to build an index from.
 */
export async function pushOciImage(client: RegistryClient, repository: string, architecture: string, labels: Record<string, string>): Promise<{ bytes: Buffer; digest: string }> {
  const layer = await tinyLayer(`${architecture} ${randomBytes(8).toString('hex')}\n`);
  const config = Buffer.from(JSON.stringify({ architecture, os: 'linux', created: '2024-01-02T03:04:05Z', config: { Labels: labels }, rootfs: { type: 'layers', diff_ids: [layer.diffId] } }));
  const configDigest = await client.uploadBlob(repository, config);
  const layerDigest = await client.uploadBlob(repository, layer.blob);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPE.ociManifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.blob.length }],
    }),
  );
  return { bytes: manifest, digest: await client.putManifest(repository, `${architecture}-only`, manifest, MEDIA_TYPE.ociManifest) };
}
