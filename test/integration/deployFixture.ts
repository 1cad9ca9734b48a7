import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { parseDocument, type Document } from 'yaml';
import { environmentOf } from '../../src/core/deploy/environments';
import { localEnvironmentState, type LocalEnvironmentState } from '../../src/core/deploy/localEnvironment';
import { LABEL } from '../../src/core/packaging/imageLabels';
import { loadProject } from '../../src/core/project/loadProject';
import { staticCredentials, type CredentialSource } from '../../src/core/registry/credentials';
import { RegistryClient } from '../../src/core/registry/registryClient';
import { copyExample, REPO_ROOT } from '../support/projectFixture';
import { docker, removeProjectResources, uniqueName } from './engineFixture';

/** Shared helpers of the deploy tests: iris projects at v1/v2, the CLI as a child process, environments. */

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const ENVIRONMENT_LABEL = 'modeldeploy.environment';

export const V1 = { version: '1.0.0', model: 'model/iris-v1.onnx', accuracy: 0.7778 };
export const V2 = { version: '2.0.0', model: 'model/iris-v2.onnx', accuracy: 0.9333 };

/** What `deploy`, `promote` and `rollback --json` print. */
export interface ReleaseJson {
  environment: string;
  version: string;
  digest: string;
  url?: string;
  image: string;
  changed: boolean;
}

/** One entry of `history --json`. */
export interface HistoryJson {
  time: string;
  environment: string;
  action: string;
  version: string;
  digest: string;
  who?: string;
  metrics?: Record<string, number>;
  current: boolean;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to the child's stdin, which is then closed. */
  input?: string;
}

export interface RunningCli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once the child's stderr matches (rejects if it exits first). */
  waitForStderr: (pattern: RegExp) => Promise<void>;
  done: Promise<CliResult>;
}

/** Starts the shipped CLI bundle in its own process, as a CI job would. */
export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? os.tmpdir(), env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers: { pattern: RegExp; resolve: () => void; reject: (e: Error) => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const w of [...watchers]) {
      if (w.pattern.test(stderr)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(options.input ?? '');
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      for (const w of watchers.splice(0)) w.reject(new Error(`the CLI exited (${code}) before its stderr matched ${w.pattern}:\n${stderr}`));
      resolve({ code, stdout, stderr });
    });
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStderr: (pattern) => (pattern.test(stderr) ? Promise.resolve() : new Promise((resolve, reject) => watchers.push({ pattern, resolve, reject }))),
    done,
  };
}

/** Runs the CLI to its end; the child's output on failure of an assertion is in the result. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** Runs the CLI and asserts it exited 0. */
export async function runOk(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const result = await runCli(args, options);
  assert.equal(result.code, 0, `modeldeploy ${args.join(' ')} exited ${result.code}:\n${result.stderr}\n${result.stdout}`);
  return result;
}

export function parseJson<T>(text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`not JSON: ${text}`);
  }
}

/** Edits modeldeploy.yaml as YAML, keeping its comments. */
export function editConfig(dir: string, edit: (doc: Document) => void): void {
  const file = path.join(dir, 'modeldeploy.yaml');
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  edit(doc);
  fs.writeFileSync(file, doc.toString());
}

/** Points the project at a version and its model file. */
export function useVersion(dir: string, release: { version: string; model: string }): void {
  editConfig(dir, (doc) => {
    doc.set('version', release.version);
    doc.set('model', release.model);
  });
}

export function setEnvironments(dir: string, environments: Record<string, { registry?: string; approval?: 'required' | 'none' }> | undefined): void {
  editConfig(dir, (doc) => (environments ? doc.set('environments', environments) : doc.delete('environments')));
}

export function setGates(dir: string, gates: Record<string, Record<string, number>>): void {
  editConfig(dir, (doc) => doc.set('gates', gates));
}

export interface DeployProject {
  dir: string;
  name: string;
  /** `--project DIR` for the CLI. */
  args: (...args: string[]) => string[];
  cleanup: () => Promise<void>;
}

/** A copy of examples/iris under a unique name, at 1.0.0 with model/iris-v1.onnx, nothing validated or built. */
export function irisProject(prefix: string): DeployProject {
  const project = deployProject(copyExample('iris'), prefix);
  useVersion(project.dir, V1);
  return project;
}

/** A copied project renamed to a unique name, with the CLI arguments for it and a cleanup of all it made. */
export function deployProject(copy: { dir: string; cleanup: () => void }, prefix: string): DeployProject {
  const name = uniqueName(prefix);
  editConfig(copy.dir, (doc) => doc.set('name', name));
  return {
    dir: copy.dir,
    name,
    args: (...args) => [...args, '--project', copy.dir],
    cleanup: async () => {
      await removeEnvironments(name);
      copy.cleanup();
    },
  };
}

/** Switches the project to a version, validates and builds it; the built image's id. */
export async function buildVersion(project: DeployProject, release: { version: string; model: string }): Promise<string> {
  useVersion(project.dir, release);
  await runOk(project.args('validate'));
  await runOk(project.args('build'));
  return (await docker.getImage(`${project.name}:${release.version}`).inspect()).Id;
}

/**
 * Everything a project's environments left in the engine: its containers (versions, routers, smoke and
 * extraction containers all carry the project label), its networks, its images (tagged or pulled).
 */
export async function removeEnvironments(name: string): Promise<void> {
  await removeProjectResources(name);
  for (const network of await projectNetworks(name)) await docker.getNetwork(network).remove().catch(() => undefined);
  const references = await docker.listImages({ filters: { reference: [name, `*/${name}`, `*/*/${name}`] } });
  for (const id of new Set(references.map((i) => i.Id))) await docker.getImage(id).remove({ force: true }).catch(() => undefined);
}

/** The names of the networks a project's environments made. */
export async function projectNetworks(name: string): Promise<string[]> {
  return (await docker.listNetworks({ filters: { label: [`${LABEL.project}=${name}`] } })).map((n) => n.Name).sort();
}

/** The containers of a project's local environment with a role (environment: the versions; router). */
export async function environmentContainers(name: string, environment: string, role: 'environment' | 'router' | 'smoke' = 'environment'): Promise<Docker.ContainerInfo[]> {
  const filters = [`${LABEL.project}=${name}`, `${LABEL.role}=${role}`, ...(role === 'smoke' ? [] : [`${ENVIRONMENT_LABEL}=${environment}`])];
  return docker.listContainers({ all: true, filters: { label: filters } });
}

/** What a local environment of the project serves now, read as the deployer reads it (from its router), on `engine`. */
export async function environmentState(project: { dir: string }, environment: string, engine: Docker = docker): Promise<LocalEnvironmentState> {
  const config = loadProject(project.dir);
  return localEnvironmentState(engine, config, environmentOf(config, environment));
}

/** Every container of a project, whatever its role. */
export async function projectContainers(name: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${LABEL.project}=${name}`] } });
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** One HTTP request on a connection of its own (or of `agent`). */
export function request(url: string, options: { method?: string; body?: string; agent?: http.Agent | false; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', agent: options.agent ?? false, headers: options.body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(options.body) } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs ?? 60_000, () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The versions /v2/models/<name> says the URL serves. */
export async function servedVersions(url: string, name: string): Promise<string[]> {
  const answer = await request(`${url}/v2/models/${name}`);
  assert.equal(answer.status, 200, `GET ${url}/v2/models/${name}: ${answer.status} ${answer.body}`);
  return parseJson<{ versions: string[] }>(answer.body).versions;
}

/** The model_version of an inference answer of the URL, for the project's sample. */
export async function inferVersion(url: string, project: DeployProject): Promise<string> {
  const answer = await request(`${url}/v2/models/${project.name}/infer`, { method: 'POST', body: fs.readFileSync(path.join(project.dir, 'sample.json'), 'utf8') });
  assert.equal(answer.status, 200, `infer on ${url}: ${answer.status} ${answer.body}`);
  return parseJson<{ model_version: string }>(answer.body).model_version;
}

/** Whether anything answers HTTP on the URL. */
export async function answers(url: string): Promise<boolean> {
  return request(`${url}/v2/health/ready`, { timeoutMs: 5000 }).then(
    () => true,
    () => false,
  );
}

/** Polls until `check` resolves true (a readiness wait, not a timing assertion). */
export async function pollUntil(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface PollerRecord {
  ok: boolean;
  version?: string;
  error?: string;
}

/**
 * Clients of an environment: several loops that each send the project's sample to /infer one request
 * after the other, half on a keep-alive connection, half on a new connection per request; every answer
 * is recorded (status, model_version, or the error).
 */
export class InferencePoller {
  readonly loops: { keepAlive: boolean; records: PollerRecord[] }[];
  private running = true;
  private readonly finished: Promise<void>[] = [];
  private readonly agents: http.Agent[] = [];

  constructor(
    private readonly url: string,
    private readonly project: DeployProject,
    loops = 6,
  ) {
    this.loops = Array.from({ length: loops }, (_, i) => ({ keepAlive: i % 2 === 0, records: [] as PollerRecord[] }));
  }

  start(): void {
    const body = fs.readFileSync(path.join(this.project.dir, 'sample.json'), 'utf8');
    const target = `${this.url}/v2/models/${this.project.name}/infer`;
    for (const loop of this.loops) {
      const agent = loop.keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false;
      if (agent) this.agents.push(agent);
      this.finished.push(
        (async () => {
          while (this.running) {
            try {
              const answer = await request(target, { method: 'POST', body, agent });
              if (answer.status !== 200) loop.records.push({ ok: false, error: `${answer.status} ${answer.body}` });
              else loop.records.push({ ok: true, version: parseJson<{ model_version: string }>(answer.body).model_version });
            } catch (error) {
              loop.records.push({ ok: false, error: (error as Error).message });
            }
          }
        })(),
      );
    }
  }

  /** Waits until every loop has at least `count` more answers than it had when called. */
  async next(count: number): Promise<void> {
    const base = this.loops.map((l) => l.records.length);
    await pollUntil(async () => this.loops.every((l, i) => l.records.length >= base[i] + count), `${count} more answers per client loop`);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.finished);
    for (const agent of this.agents) agent.destroy();
  }

  failures(): string[] {
    return this.loops.flatMap((l, i) => l.records.filter((r) => !r.ok).map((r) => `loop ${i} (${l.keepAlive ? 'keep-alive' : 'new connections'}): ${r.error}`));
  }
}

/** A temporary DOCKER_CONFIG folder, with logins in `auths` (base64 user:password) when given. */
export function dockerConfigDir(auths: Record<string, { username: string; password: string }> = {}): { dir: string; file: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-dockercfg-'));
  const file = path.join(dir, 'config.json');
  if (Object.keys(auths).length) {
    const entries = Object.fromEntries(Object.entries(auths).map(([host, { username, password }]) => [host, { auth: Buffer.from(`${username}:${password}`).toString('base64') }]));
    fs.writeFileSync(file, JSON.stringify({ auths: entries }, null, 2));
  }
  return { dir, file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A registry client for tests: anonymous, or with a user and password. */
export function registryClient(host: string, login?: { username: string; password: string }): RegistryClient {
  const credentials: CredentialSource | undefined = login ? staticCredentials({ [host]: login }) : undefined;
  return new RegistryClient(host, { credentials });
}

/** The digest a tag names in a registry, read through the registry API; undefined when there is no such tag. */
export async function tagDigest(client: RegistryClient, repository: string, tag: string): Promise<string | undefined> {
  return (await client.getManifest(repository, tag))?.digest;
}

/** Every tag of a repository with the digest it names, sorted by tag. */
export async function tagMap(client: RegistryClient, repository: string): Promise<Record<string, string>> {
  const tags = (await client.listTags(repository)).sort();
  const entries: [string, string][] = [];
  for (const tag of tags) entries.push([tag, (await tagDigest(client, repository, tag))!]);
  return Object.fromEntries(entries);
}

/** The history tags of an environment in a tag list. */
export function historyTags(tags: Iterable<string>, environment: string): string[] {
  return [...tags].filter((t) => new RegExp(`^${environment}-\\d{8}T\\d{6}Z$`).test(t)).sort();
}

/** A process id that no process has right now (a process that ran and exited). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const pid = child.pid!;
  await new Promise((resolve) => child.on('exit', resolve));
  return pid;
}

/** Every file under a folder, recursively (absolute paths). */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

/**
 * A copy of an ONNX model with a large doc_string (ModelProto field 6) appended: the same graph and
 * answers, but a model layer big enough that pushing it takes a while.
 */
export function paddedModel(source: string, target: string, bytes: number): void {
  const text = Buffer.from(randomBytes(Math.ceil((bytes * 3) / 4)).toString('base64'));
  const varint: number[] = [];
  for (let n = text.length; ; ) {
    const low = n & 0x7f;
    n = Math.floor(n / 128);
    if (n === 0) {
      varint.push(low);
      break;
    }
    varint.push(low | 0x80);
  }
  fs.writeFileSync(target, Buffer.concat([fs.readFileSync(source), Buffer.from([(6 << 3) | 2, ...varint]), text]));
}

/** The lines of a project's audit trail. */
export function historyLines(dir: string): Record<string, unknown>[] {
  const file = path.join(dir, '.modeldeploy', 'history.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => parseJson<Record<string, unknown>>(l));
}

/** The engine's id of the image under a reference, or undefined. */
export async function imageIdOf(reference: string): Promise<string | undefined> {
  return docker
    .getImage(reference)
    .inspect()
    .then((i) => i.Id, () => undefined);
}
