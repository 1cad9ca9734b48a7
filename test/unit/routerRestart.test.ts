import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { httpRequest } from '../../src/core/http/httpRequest';
import { startRouter, type RunningRouter } from '../../src/runtime/routerServer';
import { parseUpstreamUrl } from '../../src/runtime/upstreamUrl';
import { auth, FakeUpstream, TOKEN } from '../support/routerFixture';

const REQUEST_TIMEOUT_MS = 10_000;

interface Routes {
  url: string | null;
  since: string | null;
  canary: { url: string; weight: number; since: string } | null;
  shadow: { url: string; since: string; compare: unknown } | null;
}

/** A router started in this process, and what it told its onRoutesProblem hook. */
interface Started {
  router: RunningRouter;
  problems: string[];
}

describe('the router across a restart', function () {
  this.timeout(60_000);
  let a: FakeUpstream;
  let b: FakeUpstream;
  let dir: string;
  let routesFile: string;
  const running: RunningRouter[] = [];

  before(async () => {
    a = await new FakeUpstream('A').start();
    b = await new FakeUpstream('B').start();
  });
  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-router-restart-'));
    routesFile = path.join(dir, 'routes.json');
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((router) => router.close()));
    // A folder a test locked is opened again so that it can be removed.
    for (const name of fs.readdirSync(dir)) if (fs.statSync(path.join(dir, name)).isDirectory()) fs.chmodSync(path.join(dir, name), 0o700);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a router configured with `upstream`, saving its routes in `file` (the test's routes file unless given; null: not saved). */
  async function start(upstream: FakeUpstream | undefined, file: string | null = routesFile): Promise<Started> {
    const problems: string[] = [];
    const router = await startRouter(
      { host: '127.0.0.1', port: 0, adminPort: 0, token: TOKEN, upstream: upstream && parseUpstreamUrl(upstream.url), routesFile: file ?? undefined, upstreamTimeoutMs: REQUEST_TIMEOUT_MS },
      { onRoutesProblem: (message) => problems.push(message) },
    );
    running.push(router);
    return { router, problems };
  }

  /** Closes a router as its container stops. */
  async function stop(router: RunningRouter): Promise<void> {
    running.splice(running.indexOf(router), 1);
    await router.close();
  }

  async function admin(router: RunningRouter, method: string, route: string, body?: unknown) {
    return httpRequest(`${router.adminUrl}${route}`, { method, headers: auth(), body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: REQUEST_TIMEOUT_MS });
  }

  async function put(router: RunningRouter, route: string, body: unknown): Promise<void> {
    const answer = await admin(router, 'PUT', route, body);
    assert.equal(answer.status, 200, answer.text);
  }

  async function routes(router: RunningRouter): Promise<Routes> {
    const answer = await admin(router, 'GET', '/upstream');
    assert.equal(answer.status, 200, answer.text);
    return answer.json() as Routes;
  }

  /** Sends `count` requests one after the other through the traffic port; counts them by the upstream that answered. */
  async function through(router: RunningRouter, count: number, route = '/v2/models/m/infer', headers: Record<string, string> = {}): Promise<Record<string, number>> {
    const by: Record<string, number> = {};
    for (let i = 0; i < count; i++) {
      const answer = await httpRequest(`${router.url}${route}`, { method: 'POST', headers, body: '{}', timeoutMs: REQUEST_TIMEOUT_MS });
      assert.equal(answer.status, 200, answer.text);
      const { name } = answer.json() as { name: string };
      by[name] = (by[name] ?? 0) + 1;
    }
    return by;
  }

  function savedRoutes(file = routesFile): Record<string, unknown> {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  }

  it('routes to the upstream it was last switched to, not the configured one, with the same since', async () => {
    const first = await start(a);
    assert.equal(first.router.restored, false);
    assert.equal(first.router.startedWith, a.url);
    assert.deepEqual(await through(first.router, 3), { A: 3 });
    await put(first.router, '/upstream', { url: b.url });
    assert.deepEqual(await through(first.router, 3), { B: 3 });
    const before = await routes(first.router);
    assert.equal(before.url, b.url);
    await stop(first.router);
    // A restart is never in the same millisecond as the switch: a fresh since would differ.
    await delay(10);

    const second = await start(a);
    assert.equal(second.router.restored, true);
    assert.equal(second.router.startedWith, b.url);
    assert.deepEqual(await through(second.router, 5), { B: 5 });
    const after = await routes(second.router);
    assert.equal(after.url, b.url);
    assert.equal(after.since, before.since);
    assert.deepEqual([first.problems, second.problems], [[], []]);
  });

  it('keeps a canary with its weight and since, and splits 25 of 100 requests to it', async () => {
    const first = await start(a);
    await put(first.router, '/canary', { url: b.url, weight: 25 });
    const before = await routes(first.router);
    assert.deepEqual({ ...before.canary, since: undefined }, { url: b.url, weight: 25, since: undefined });
    await stop(first.router);
    await delay(10);

    const second = await start(a);
    assert.equal(second.router.restored, true);
    assert.equal(second.router.startedWith, a.url);
    const after = await routes(second.router);
    assert.equal(after.url, a.url);
    assert.equal(after.since, before.since);
    assert.deepEqual(after.canary, { url: b.url, weight: 25, since: before.canary!.since });
    assert.deepEqual(await through(second.router, 100), { A: 75, B: 25 });
  });

  it('keeps a shadow with its compare, and mirrors inference requests to it', async () => {
    const compare = { output: 'probabilities', task: 'classification' };
    const first = await start(a);
    await put(first.router, '/shadow', { url: b.url, compare });
    const before = await routes(first.router);
    assert.deepEqual({ ...before.shadow, since: undefined }, { url: b.url, since: undefined, compare });
    await stop(first.router);
    await delay(10);

    const second = await start(a);
    assert.equal(second.router.restored, true);
    const after = await routes(second.router);
    assert.equal(after.url, a.url);
    assert.equal(after.canary, null);
    assert.deepEqual(after.shadow, { url: b.url, since: before.shadow!.since, compare });
    // The client's answer comes from the active version; the shadow gets a copy.
    const id = `restart-shadow-${Date.now()}`;
    assert.deepEqual(await through(second.router, 1, '/v2/models/m/infer', { 'X-Test-Id': id }), { A: 1 });
    const deadline = Date.now() + 5_000;
    while (!b.received.includes(id) && Date.now() < deadline) await delay(20);
    assert.ok(b.received.includes(id), 'the restored shadow got a copy of the inference request');
  });

  it('has no canary after a restart when it was cleared before', async () => {
    const first = await start(a);
    await put(first.router, '/canary', { url: b.url, weight: 25 });
    const cleared = await admin(first.router, 'DELETE', '/canary');
    assert.deepEqual(cleared.json(), { url: null, previous: b.url });
    assert.equal(savedRoutes().canary, undefined);
    await stop(first.router);

    const second = await start(a);
    assert.equal(second.router.restored, true);
    const after = await routes(second.router);
    assert.equal(after.url, a.url);
    assert.equal(after.canary, null);
    assert.deepEqual(await through(second.router, 20), { A: 20 });
  });

  it('reports a routes file it cannot use, routes to the configured upstream and saves over the file', async () => {
    fs.writeFileSync(routesFile, `{"upstream": "${b.url}", "since": `);
    const first = await start(a);
    assert.equal(first.problems.length, 1, first.problems.join('\n'));
    assert.ok(first.problems[0].includes(routesFile), first.problems[0]);
    assert.match(first.problems[0], /not usable: not JSON.*routing to the configured upstream/);
    assert.equal(first.router.restored, false);
    assert.equal(first.router.startedWith, a.url);
    assert.deepEqual(await through(first.router, 3), { A: 3 });
    const saved = savedRoutes();
    assert.equal(saved.upstream, a.url);
    assert.equal(saved.since, (await routes(first.router)).since);
    await stop(first.router);

    // Configured with B this time: only the saved routes can send it to A.
    const second = await start(b);
    assert.deepEqual(second.problems, []);
    assert.equal(second.router.restored, true);
    assert.equal(second.router.startedWith, a.url);
    assert.deepEqual(await through(second.router, 3), { A: 3 });
  });

  it('still switches when the routes cannot be saved, and tells why', async () => {
    const file = unwritableRoutesFile(dir);
    const { router, problems } = await start(a, file);
    assert.equal(router.startedWith, a.url);
    const atStart = problems.length;
    await put(router, '/upstream', { url: b.url });
    assert.deepEqual(await through(router, 3), { B: 3 });
    assert.equal((await routes(router)).url, b.url);
    const afterSwitch = problems.slice(atStart);
    assert.equal(afterSwitch.length, 1, problems.join('\n'));
    assert.match(afterSwitch[0], /^cannot save the routes to /);
    assert.ok(afterSwitch[0].includes(file), afterSwitch[0]);
    assert.equal(fs.existsSync(file), false);
  });

  it('neither restores nor writes anything without a routes file', async () => {
    const first = await start(a, null);
    assert.equal(first.router.restored, false);
    assert.equal(first.router.startedWith, a.url);
    await put(first.router, '/upstream', { url: b.url });
    await put(first.router, '/canary', { url: a.url, weight: 10 });
    await stop(first.router);

    const second = await start(a, null);
    assert.equal(second.router.restored, false);
    assert.equal(second.router.startedWith, a.url);
    assert.deepEqual(await through(second.router, 10), { A: 10 });
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.deepEqual([first.problems, second.problems], [[], []]);
  });
});

/**
 * A routes file that cannot be written: in a folder without write permission, or, where that does not stop
 * writes (as root), under a path whose parent is a regular file.
 */
function unwritableRoutesFile(dir: string): string {
  const locked = path.join(dir, 'locked');
  fs.mkdirSync(locked);
  fs.chmodSync(locked, 0o500);
  const probe = path.join(locked, 'probe');
  try {
    fs.writeFileSync(probe, '');
  } catch {
    return path.join(locked, 'routes.json');
  }
  fs.rmSync(probe);
  const notAFolder = path.join(dir, 'not-a-folder');
  fs.writeFileSync(notAFolder, '');
  return path.join(notAFolder, 'routes.json');
}
