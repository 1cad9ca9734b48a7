import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { httpRequest } from '../../src/core/http/httpRequest';
import { WeightedSplit } from '../../src/runtime/weightedSplit';
import { auth, deadUrl, FakeUpstream, send, startRouter, switchTo, type RouterProcess } from '../support/routerFixture';

interface CanaryState {
  url: string | null;
  canary: { url: string; weight: number; since: string } | null;
  inFlight: Record<string, number>;
}

function putCanary(router: RouterProcess, body: unknown) {
  return httpRequest(`${router.adminUrl}/canary`, { method: 'PUT', headers: auth(), body: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function state(router: RouterProcess): Promise<CanaryState> {
  return (await httpRequest(`${router.adminUrl}/upstream`, { headers: auth() })).json() as CanaryState;
}

/** Sends `count` requests, `parallel` at a time, and counts them by the upstream that answered. */
async function spread(router: RouterProcess, count: number, parallel: number, agent?: http.Agent): Promise<{ by: Map<string, number>; order: string[] }> {
  const order: string[] = [];
  let sent = 0;
  const loop = async () => {
    while (sent < count) {
      sent++;
      const answer = await send(`${router.url}/v2/models/m/infer`, { method: 'POST', agent, headers: { 'Content-Type': 'application/json' }, body: '{}' });
      assert.equal(answer.status, 200, answer.text);
      order.push(String(answer.headers['x-model-deploy-upstream']));
    }
  };
  await Promise.all(Array.from({ length: parallel }, loop));
  const by = new Map<string, number>();
  for (const name of order) by.set(name, (by.get(name) ?? 0) + 1);
  return { by, order };
}

describe('the weighted split of a canary', () => {
  it('gives the canary its share of every prefix of the requests, to within half a request, for every weight', () => {
    for (let weight = 1; weight <= 99; weight++) {
      const split = new WeightedSplit(weight);
      let canary = 0;
      for (let n = 1; n <= 1000; n++) {
        if (split.next()) canary++;
        assert.ok(Math.abs(canary - (n * weight) / 100) <= 0.5, `weight ${weight}: ${canary} of ${n}`);
      }
    }
  });

  it('spreads the canary evenly: at 10 %, one request in every ten, never two in a row', () => {
    const split = new WeightedSplit(10);
    const picks = Array.from({ length: 100 }, () => split.next());
    for (let block = 0; block < 10; block++) assert.equal(picks.slice(block * 10, block * 10 + 10).filter(Boolean).length, 1, `block ${block}`);
  });
});

describe('the router with a canary', function () {
  this.timeout(60_000);
  let a: FakeUpstream;
  let b: FakeUpstream;
  let router: RouterProcess;

  before(async () => {
    a = await new FakeUpstream('A').start();
    b = await new FakeUpstream('B').start();
    router = await startRouter({ MODELDEPLOY_ROUTER_ENVIRONMENT: 'production' });
  });
  after(async () => {
    router?.child.kill('SIGKILL');
    await Promise.all([a?.close(), b?.close()]);
  });

  it('refuses a canary while no upstream is active: 409', async () => {
    const answer = await putCanary(router, { url: b.url, weight: 10 });
    assert.equal(answer.status, 409, answer.text);
    assert.match((answer.json() as { error: string }).error, /no upstream is active/);
    assert.equal((await state(router)).canary, null);
  });

  it('sends exactly the weight\'s share of the requests to the canary, with concurrent clients too, and reports it', async () => {
    await switchTo(router, a);
    const set = await putCanary(router, { url: b.url, weight: 10 });
    assert.equal(set.status, 200, set.text);
    const answer = set.json() as { url: string; weight: number; since: string; active: string; previous: string | null };
    assert.deepEqual({ ...answer, since: undefined }, { url: b.url, weight: 10, since: undefined, active: a.url, previous: null });
    const now = await state(router);
    assert.equal(now.url, a.url);
    assert.deepEqual({ ...now.canary, since: undefined }, { url: b.url, weight: 10, since: undefined });
    assert.ok(!Number.isNaN(Date.parse(now.canary!.since)));
    assert.deepEqual(now.inFlight, { [a.url]: 0, [b.url]: 0 });
    const logged = await router.line((l) => l.message === 'canary set');
    assert.deepEqual({ canary: logged.canary, weight: logged.weight, environment: logged.environment }, { canary: b.url, weight: 10, environment: 'production' });

    // One client after the other: every tenth request goes to the canary.
    const sequential = await spread(router, 200, 1);
    assert.equal(sequential.by.get(b.routerName), 20);
    assert.equal(sequential.by.get(a.routerName), 180);
    assert.ok(sequential.order.every((name, i) => name !== b.routerName || sequential.order[i - 1] !== b.routerName), 'never two canary requests in a row');
    // Eight clients at once on keep-alive connections: arrivals are still split one at a time.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    try {
      const concurrent = await spread(router, 400, 8, agent);
      assert.equal(concurrent.by.get(b.routerName), 40);
    } finally {
      agent.destroy();
    }
  });

  it('changes the weight in place and clears the canary with DELETE /canary', async () => {
    await switchTo(router, a);
    assert.equal((await putCanary(router, { url: b.url, weight: 10 })).status, 200);
    const reweighted = await putCanary(router, { url: b.url, weight: 50 });
    assert.equal((reweighted.json() as { previous: string }).previous, b.url);
    assert.equal((await spread(router, 100, 1)).by.get(b.routerName), 50);

    const cleared = await httpRequest(`${router.adminUrl}/canary`, { method: 'DELETE', headers: auth() });
    assert.deepEqual(cleared.json(), { url: null, previous: b.url });
    assert.equal((await state(router)).canary, null);
    assert.deepEqual([...(await spread(router, 30, 1)).by.keys()], [a.routerName]);
    await router.line((l) => l.message === 'canary cleared' && l.canary === b.url);
    // Clearing twice changes nothing and says there was none.
    const again = await httpRequest(`${router.adminUrl}/canary`, { method: 'DELETE', headers: auth() });
    assert.deepEqual(again.json(), { url: null, previous: null });
  });

  it('lets a request finish on the canary after it is cleared, and tells when it has drained; 409 while it is the canary', async () => {
    await switchTo(router, a);
    assert.equal((await putCanary(router, { url: b.url, weight: 99 })).status, 200);
    // At 99 % the first request goes to the canary.
    const slow = send(`${router.url}/slow`, { method: 'POST', headers: { 'X-Test-Id': 'canary-slow' }, body: 'x' });
    await b.arrival('canary-slow');
    const busy = await httpRequest(`${router.adminUrl}/upstream/drained?url=${encodeURIComponent(b.url)}`, { headers: auth() });
    assert.equal(busy.status, 409);
    assert.match((busy.json() as { error: string }).error, /is the canary/);

    await httpRequest(`${router.adminUrl}/canary`, { method: 'DELETE', headers: auth() });
    assert.deepEqual((await state(router)).inFlight, { [a.url]: 0, [b.url]: 1 });
    const drained = httpRequest(`${router.adminUrl}/upstream/drained?url=${encodeURIComponent(b.url)}&timeoutMs=50000`, { headers: auth(), timeoutMs: 55_000 });
    assert.equal((await send(`${router.url}/fresh`)).headers['x-model-deploy-upstream'], a.routerName, 'new requests go to the active version only');
    b.release('canary-slow');
    const answer = await slow;
    assert.equal(answer.headers['x-model-deploy-upstream'], b.routerName, 'the request kept its upstream');
    assert.deepEqual((await drained).json(), { url: b.url, drained: true, inFlight: 0 });
  });

  it('promotes the canary when the active upstream is switched to it: all requests go there, no canary is left', async () => {
    await switchTo(router, a);
    assert.equal((await putCanary(router, { url: b.url, weight: 10 })).status, 200);
    assert.deepEqual(await switchTo(router, b), { url: b.url, previous: a.url });
    const now = await state(router);
    assert.equal(now.url, b.url);
    assert.equal(now.canary, null);
    assert.deepEqual([...(await spread(router, 30, 1)).by.keys()], [b.routerName]);
    await router.line((l) => l.message === 'canary cleared' && l.canary === b.url);
  });

  it('keeps the canary when the active upstream is switched to a third version', async () => {
    const c = await new FakeUpstream('C').start();
    try {
      await switchTo(router, a);
      assert.equal((await putCanary(router, { url: b.url, weight: 20 })).status, 200);
      await switchTo(router, c);
      const { by } = await spread(router, 50, 1);
      assert.deepEqual([by.get(c.routerName), by.get(b.routerName)], [40, 10]);
    } finally {
      await httpRequest(`${router.adminUrl}/canary`, { method: 'DELETE', headers: auth() });
      await switchTo(router, a);
      await c.close();
    }
  });

  it('answers 400 with a message to a bad weight or URL, 409 to the active upstream as canary, and keeps the canary it had', async () => {
    await switchTo(router, a);
    assert.equal((await putCanary(router, { url: b.url, weight: 30 })).status, 200);
    const cases: [unknown, RegExp][] = [
      [{ url: b.url, weight: 0 }, /"weight" must be a whole number from 1 to 99 .*not 0/],
      [{ url: b.url, weight: 100 }, /"weight" must be a whole number from 1 to 99 .*not 100/],
      [{ url: b.url, weight: -5 }, /not -5/],
      [{ url: b.url, weight: 12.5 }, /not 12\.5/],
      [{ url: b.url, weight: '10' }, /not "10"/],
      [{ url: b.url, weight: 'abc' }, /not "abc"/],
      [{ url: b.url, weight: null }, /not null/],
      [{ url: b.url }, /not nothing/],
      [{ url: 'https://b:8080', weight: 10 }, /must use http:/],
      [{ url: 'http://b', weight: 10 }, /port written out/],
      [{ url: 'not a url', weight: 10 }, /is not a URL/],
      [{ weight: 10 }, /non-empty string/],
      ['[1, 2]', /non-empty string/],
      ['{"url":', /the body is not valid JSON/],
    ];
    for (const [body, message] of cases) {
      const answer = await putCanary(router, body);
      assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.text}`);
      assert.match((answer.json() as { error: string }).error, message, JSON.stringify(body));
    }
    const same = await putCanary(router, { url: a.url, weight: 10 });
    assert.equal(same.status, 409);
    assert.match((same.json() as { error: string }).error, /is the active upstream: a canary must be another version/);
    const method = await httpRequest(`${router.adminUrl}/canary`, { headers: auth() });
    assert.equal(method.status, 405);
    assert.equal(method.headers.allow, 'PUT, DELETE');
    const unauthorized = await httpRequest(`${router.adminUrl}/canary`, { method: 'DELETE' });
    assert.equal(unauthorized.status, 401);
    const now = await state(router);
    assert.deepEqual({ url: now.canary?.url, weight: now.canary?.weight }, { url: b.url, weight: 30 }, 'the refused requests changed nothing');
    await httpRequest(`${router.adminUrl}/canary`, { method: 'DELETE', headers: auth() });
  });

  it('sends a request whose canary cannot be reached to the active version instead, and counts the failure', async () => {
    const down = await deadUrl();
    await switchTo(router, a);
    assert.equal((await putCanary(router, { url: down, weight: 50 })).status, 200);
    try {
      const { by } = await spread(router, 20, 1);
      assert.deepEqual([...by], [[a.routerName, 20]], 'every request was answered, by the active version');
      const text = (await httpRequest(`${router.adminUrl}/metrics`, { headers: auth() })).text;
      assert.match(text, new RegExp(`^modeldeploy_router_connect_failures_total\\{upstream="${down}"\\} 10$`, 'm'));
    } finally {
      await httpRequest(`${router.adminUrl}/canary`, { method: 'DELETE', headers: auth() });
    }
  });
});
