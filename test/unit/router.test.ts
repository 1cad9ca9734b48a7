import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import * as http from 'node:http';
import { httpRequest } from '../../src/core/http/httpRequest';
import { bearerTokenCheck } from '../../src/runtime/bearerToken';
import { routerAccessLogLine } from '../../src/runtime/routerAccessLogLine';
import { routerConfig } from '../../src/runtime/routerConfig';
import { parseUpstreamUrl } from '../../src/runtime/upstreamUrl';
import { auth, deadUrl, FakeUpstream, ROUTER, send, startRouter, switchTo, TOKEN, unansweredListener, type RouterProcess } from '../support/routerFixture';

describe('the environment router', function () {
  this.timeout(60_000);
  let a: FakeUpstream;
  let b: FakeUpstream;
  let router: RouterProcess;

  before(async () => {
    a = await new FakeUpstream('A').start();
    b = await new FakeUpstream('B').start();
    router = await startRouter({ MODELDEPLOY_ROUTER_ENVIRONMENT: 'staging' });
  });
  after(async () => {
    router?.child.kill('SIGKILL');
    await Promise.all([a?.close(), b?.close()]);
  });

  it('answers 503 with a JSON error naming the environment until a version is deployed', async () => {
    const answer = await send(`${router.url}/v2/health/ready`);
    assert.equal(answer.status, 503);
    assert.deepEqual(JSON.parse(answer.text), { error: 'no version is deployed to staging yet' });
    assert.equal(answer.headers['x-model-deploy-environment'], 'staging');
    const state = await httpRequest(`${router.adminUrl}/upstream`, { headers: auth() });
    assert.deepEqual(state.json(), { url: null, since: null, canary: null, shadow: null, inFlight: {} });
  });

  it('forwards method, path, query, headers and body, and passes back status and headers', async () => {
    assert.deepEqual(await switchTo(router, a), { url: a.url, previous: null });
    const body = JSON.stringify({ inputs: [1, 2, 3] });
    const answer = await send(`${router.url}/v2/models/iris/infer?x=1&y=a%20b`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', 'X-Test-Status': '201', 'X-Test-Echo': 'kept', 'X-Custom': 'yes', Connection: 'keep-alive, X-Per-Hop', 'X-Per-Hop': 'dropped', 'Keep-Alive': 'timeout=5' },
      body,
    });
    assert.equal(answer.status, 201);
    assert.equal(answer.headers['x-model-deploy-upstream'], a.routerName);
    assert.equal(answer.headers['x-upstream-name'], 'A');
    assert.equal(answer.headers['x-test-echo'], 'kept');
    const seen = JSON.parse(answer.text) as { name: string; method: string; url: string; headers: Record<string, string>; bytes: number; sha256: string };
    assert.equal(seen.method, 'PATCH');
    assert.equal(seen.url, '/v2/models/iris/infer?x=1&y=a%20b');
    assert.equal(seen.headers['x-custom'], 'yes');
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.equal(seen.headers['x-per-hop'], undefined, 'a header named in Connection is hop-by-hop');
    assert.equal(seen.headers['keep-alive'], undefined);
    assert.equal(seen.headers.host, a.routerName);
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen.bytes, Buffer.byteLength(body));
    assert.equal(seen.sha256, createHash('sha256').update(body).digest('hex'));
    const logged = await router.line((l) => l.path === '/v2/models/iris/infer');
    assert.equal(logged.method, 'PATCH');
    assert.equal(logged.status, 201);
    assert.equal(logged.upstream, a.routerName);
    assert.equal(typeof logged.ms, 'number');
  });

  it('streams a 5 MB body both ways without buffering it', async () => {
    await switchTo(router, a);
    const payload = randomBytes(5 * 1024 * 1024);
    const request = http.request(`${router.url}/echo`, { method: 'POST', agent: false, headers: { 'Content-Type': 'application/octet-stream' } });
    const answered = once(request, 'response') as Promise<[http.IncomingMessage]>;
    // The first megabyte comes back before the rest is sent: a router that buffered would never answer.
    request.write(payload.subarray(0, 1024 * 1024));
    const [response] = await answered;
    assert.equal(response.headers['x-model-deploy-upstream'], a.routerName);
    const chunks: Buffer[] = [];
    const firstChunk = once(response, 'data');
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    await firstChunk;
    request.end(payload.subarray(1024 * 1024));
    await once(response, 'end');
    const echoed = Buffer.concat(chunks);
    assert.equal(echoed.length, payload.length);
    assert.ok(echoed.equals(payload), 'the body came back byte for byte');
  });

  it('answers 502 with a JSON error when the upstream is down, after one retry', async () => {
    const down = await deadUrl();
    await switchTo(router, down);
    const answer = await send(`${router.url}/down?probe=1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"inputs":[]}' });
    assert.equal(answer.status, 502);
    assert.match((JSON.parse(answer.text) as { error: string }).error, /cannot be reached \(connect ECONNREFUSED/);
    assert.equal(answer.headers['x-model-deploy-upstream'], down.slice('http://'.length));
    // Nothing reached the server, so the router tried once more before giving up.
    const logged = await router.line((l) => l.path === '/down');
    assert.equal(logged.status, 502);
    assert.equal(logged.attempts, 2);
  });

  it('answers 502 without a retry when the upstream drops a request it may have started on', async () => {
    await switchTo(router, a);
    const answer = await send(`${router.url}/crash`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Test-Id': 'crash' }, body: '{"inputs":[]}' });
    assert.equal(answer.status, 502);
    assert.match((JSON.parse(answer.text) as { error: string }).error, /closed the connection before answering/);
    assert.equal(a.received.filter((id) => id === 'crash').length, 1, 'a request that reached the server is not sent twice');
    const logged = await router.line((l) => l.path === '/crash');
    assert.equal(logged.attempts, undefined);
  });

  it('breaks off its answer to the client when the upstream breaks off mid-answer', async () => {
    await switchTo(router, a);
    const request = http.request(`${router.url}/break`, { agent: false });
    const [response] = (await new Promise((resolve, reject) => {
      request.on('response', (r) => resolve([r]));
      request.on('error', reject);
      request.end();
    })) as [http.IncomingMessage];
    assert.equal(response.statusCode, 200);
    let text = '';
    response.on('data', (chunk: Buffer) => (text += chunk.toString()));
    // events.once would reject on the 'error' (aborted) that comes before 'close'.
    await new Promise<void>((resolve) => {
      response.on('error', () => undefined);
      response.on('close', resolve);
    });
    assert.equal(response.complete, false, 'the client can tell the answer is cut short');
    assert.equal(text, 'A half');
  });

  it('refuses admin requests without the right token, in constant time, with 401', async () => {
    const missing = await httpRequest(`${router.adminUrl}/upstream`);
    assert.equal(missing.status, 401);
    assert.match((missing.json() as { error: string }).error, /Bearer/);
    assert.match(String(missing.headers['www-authenticate']), /^Bearer/);
    const wrong = await httpRequest(`${router.adminUrl}/upstream`, { method: 'PUT', headers: auth('x'.repeat(TOKEN.length)), body: JSON.stringify({ url: b.url }) });
    assert.equal(wrong.status, 401);
    const prefix = await httpRequest(`${router.adminUrl}/healthz`, { headers: auth(TOKEN.slice(0, -1)) });
    assert.equal(prefix.status, 401);
    const basic = await httpRequest(`${router.adminUrl}/healthz`, { headers: { Authorization: `Basic ${TOKEN}` } });
    assert.equal(basic.status, 401);
    const health = await httpRequest(`${router.adminUrl}/healthz`, { headers: auth() });
    assert.equal(health.status, 200);
    // The refused switch changed nothing.
    assert.notEqual((await httpRequest(`${router.adminUrl}/upstream`, { headers: auth() }).then((r) => r.json() as { url: string })).url, b.url);
  });

  it('answers 400 to a bad upstream URL and keeps the active one', async () => {
    await switchTo(router, a);
    for (const body of [{ url: 'https://b:8080' }, { url: 'http://b' }, { url: 'http://b:8080/v2' }, { url: 'http://user:pw@b:8080' }, { url: 'http://b:0' }, { url: 'not a url' }, { url: 42 }, {}, 'text']) {
      const answer = await httpRequest(`${router.adminUrl}/upstream`, { method: 'PUT', headers: auth(), body: JSON.stringify(body) });
      assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.text}`);
      assert.equal(typeof (answer.json() as { error: string }).error, 'string');
    }
    const notJson = await httpRequest(`${router.adminUrl}/upstream`, { method: 'PUT', headers: auth(), body: '{"url":' });
    assert.equal(notJson.status, 400);
    const wrongMethod = await httpRequest(`${router.adminUrl}/upstream`, { method: 'POST', headers: auth(), body: JSON.stringify({ url: b.url }) });
    assert.equal(wrongMethod.status, 405);
    assert.equal((await httpRequest(`${router.adminUrl}/upstream`, { headers: auth() }).then((r) => r.json() as { url: string })).url, a.url);
  });

  it('switches atomically under continuous traffic: no failed request, none to the old version after a switch', async () => {
    await switchTo(router, a);
    const upstreams = new Map([a, b].map((u) => [u.routerName, u]));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    let target = a; // where every request sent from now on must go
    let switching = false; // a switch was sent and its answer has not come back
    let switchesStarted = 0;
    let answers = 0;
    let strictChecks = 0;
    const sent: string[] = [];
    const failures: string[] = [];
    const progress = new EventEmitter();
    let running = true;

    const loop = async (loopId: number) => {
      for (let n = 0; running; n++) {
        const id = `loop${loopId}-${n}`;
        const expected = target;
        const strict = !switching;
        const switchesBefore = switchesStarted;
        sent.push(id);
        try {
          const answer = await send(`${router.url}/v2/models/m/infer`, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'X-Test-Id': id }, body: JSON.stringify({ id }) });
          const seen = JSON.parse(answer.text) as { name: string; bytes: number };
          const from = upstreams.get(String(answer.headers['x-model-deploy-upstream']));
          if (answer.status !== 200 || !from || seen.name !== from.name || seen.bytes !== Buffer.byteLength(JSON.stringify({ id }))) failures.push(`${id}: ${answer.status} ${answer.text}`);
          // Sent after a switch was answered and answered before the next began: only the new version may answer.
          else if (strict && switchesStarted === switchesBefore) {
            strictChecks++;
            if (from !== expected) failures.push(`${id} went to ${from.name} after the switch to ${expected.name}`);
          }
        } catch (error) {
          failures.push(`${id}: ${(error as Error).message}`);
        }
        answers++;
        progress.emit('answer');
      }
    };
    const answered = async (count: number) => {
      while (answers < count) await once(progress, 'answer');
    };

    const loops = [0, 1, 2, 3].map(loop);
    try {
      for (const next of [b, a, b, a, b, a]) {
        await answered(answers + 40);
        switching = true;
        switchesStarted++;
        const previous = target;
        assert.deepEqual(await switchTo(router, next), { url: next.url, previous: previous.url });
        target = next;
        switching = false;
      }
      await answered(answers + 40);
    } finally {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    }
    assert.deepEqual(failures, []);
    assert.ok(strictChecks > 100, `only ${strictChecks} requests were checked strictly`);
    // Nothing lost, nothing sent twice: every request reached exactly one version, once.
    const reached = [...a.received, ...b.received].filter((id) => id.startsWith('loop'));
    assert.deepEqual(reached.sort(), [...sent].sort());
  });

  it('lets a slow request finish on the old version after the switch, and tells when that version has drained', async () => {
    await switchTo(router, a);
    const slow = send(`${router.url}/slow`, { method: 'POST', headers: { 'X-Test-Id': 'slow-1' }, body: 'in flight' });
    await a.arrival('slow-1');
    assert.deepEqual(await switchTo(router, b), { url: b.url, previous: a.url });

    const state = (await httpRequest(`${router.adminUrl}/upstream`, { headers: auth() })).json() as { url: string; since: string; inFlight: Record<string, number> };
    assert.equal(state.url, b.url);
    assert.ok(!Number.isNaN(Date.parse(state.since)));
    assert.deepEqual(state.inFlight, { [b.url]: 0, [a.url]: 1 });
    const notYet = await httpRequest(`${router.adminUrl}/upstream/drained?url=${encodeURIComponent(a.url)}&timeoutMs=0`, { headers: auth() });
    assert.deepEqual(notYet.json(), { url: a.url, drained: false, inFlight: 1 });
    const active = await httpRequest(`${router.adminUrl}/upstream/drained?url=${encodeURIComponent(b.url)}`, { headers: auth() });
    assert.equal(active.status, 409);

    let drainedAnswered = false;
    const drained = httpRequest(`${router.adminUrl}/upstream/drained?url=${encodeURIComponent(a.url)}&timeoutMs=50000`, { headers: auth(), timeoutMs: 55_000 }).then((answer) => {
      drainedAnswered = true;
      return answer;
    });
    const fresh = await send(`${router.url}/fresh`);
    assert.equal(fresh.headers['x-model-deploy-upstream'], b.routerName, 'a new request goes to the new version');
    assert.equal(drainedAnswered, false, 'A still has a request in flight');

    a.release('slow-1');
    const slowAnswer = await slow;
    assert.equal(slowAnswer.status, 200);
    assert.equal(slowAnswer.headers['x-model-deploy-upstream'], a.routerName);
    assert.equal((JSON.parse(slowAnswer.text) as { bytes: number }).bytes, 'in flight'.length);
    const done = await drained;
    assert.equal(done.status, 200);
    assert.deepEqual(done.json(), { url: a.url, drained: true, inFlight: 0 });
  });

  it('aborts the upstream request when the client goes away', async () => {
    await switchTo(router, a);
    const request = http.request(`${router.url}/slow`, { method: 'GET', agent: false, headers: { 'X-Test-Id': 'abandoned' } });
    request.on('error', () => undefined);
    request.end();
    await a.arrival('abandoned');
    const aborted = once(a, 'aborted:abandoned');
    request.destroy();
    await aborted;
    await switchTo(router, b);
    const drained = await httpRequest(`${router.adminUrl}/upstream/drained?url=${encodeURIComponent(a.url)}&timeoutMs=50000`, { headers: auth(), timeoutMs: 55_000 });
    assert.deepEqual(drained.json(), { url: a.url, drained: true, inFlight: 0 });
    const logged = await router.line((l) => l.path === '/slow' && l.aborted === true);
    assert.equal(logged.status, 499);
  });

  it('answers 504 when the upstream stays silent past its timeout', async () => {
    const impatient = await startRouter({ MODELDEPLOY_UPSTREAM: a.url, MODELDEPLOY_ROUTER_UPSTREAM_TIMEOUT_MS: '200' });
    try {
      const gaveUp = once(a, 'aborted:silent');
      const answer = await send(`${impatient.url}/slow`, { headers: { 'X-Test-Id': 'silent' } });
      assert.equal(answer.status, 504);
      assert.match((JSON.parse(answer.text) as { error: string }).error, /did not answer within 0.2 s/);
      await gaveUp;
    } finally {
      impatient.child.kill('SIGKILL');
    }
  });

  it('answers 502 when no connection to the upstream opens within 5 s, after one retry', async () => {
    const silent = await unansweredListener();
    const patient = await startRouter({ MODELDEPLOY_UPSTREAM: silent.url });
    try {
      const started = performance.now();
      const answer = await send(`${patient.url}/v2/health/ready`);
      assert.equal(answer.status, 502);
      assert.match((JSON.parse(answer.text) as { error: string }).error, /cannot be reached \(no connection within 5 s\)/);
      // Two attempts of 5 s each: the timer is armed for each new connection.
      assert.ok(performance.now() - started >= 9_500, 'each attempt waited for its connection');
      const logged = await patient.line((l) => l.path === '/v2/health/ready');
      assert.equal(logged.attempts, 2);
    } finally {
      patient.child.kill('SIGKILL');
      await silent.close();
    }
  });

  it('finishes a request in flight on SIGTERM, then exits 0', async () => {
    const stopping = await startRouter({ MODELDEPLOY_UPSTREAM: a.url, MODELDEPLOY_ROUTER_ENVIRONMENT: 'production' });
    const agent = new http.Agent({ keepAlive: true });
    try {
      const warm = await send(`${stopping.url}/warm`, { agent });
      assert.equal(warm.headers['x-model-deploy-upstream'], a.routerName, 'the upstream came from MODELDEPLOY_UPSTREAM');
      const slow = send(`${stopping.url}/slow`, { agent, method: 'POST', headers: { 'X-Test-Id': 'sigterm' }, body: 'draining' });
      // And one whose answer began before the signal, on a keep-alive connection the router must still close.
      const streaming = new Promise<{ head: http.IncomingMessage; text: Promise<string> }>((resolve, reject) => {
        const request = http.request(`${stopping.url}/streaming`, { agent, headers: { 'X-Test-Id': 'sigterm-streaming' } }, (head) => {
          let text = '';
          head.on('data', (chunk: Buffer) => (text += chunk.toString()));
          resolve({ head, text: once(head, 'end').then(() => text) });
        });
        request.on('error', reject);
        request.end();
      });
      await Promise.all([a.arrival('sigterm'), a.arrival('sigterm-streaming')]);
      const { head, text } = await streaming;
      assert.equal(head.headers.connection, 'keep-alive');
      stopping.child.kill('SIGTERM');
      await stopping.line((l) => l.message === 'stopping: finishing the requests in flight');
      a.release('sigterm');
      a.release('sigterm-streaming');
      const answer = await slow;
      assert.equal(answer.status, 200);
      assert.equal((JSON.parse(answer.text) as { name: string }).name, 'A');
      assert.equal(answer.headers.connection, 'close', 'a draining router closes connections as it answers');
      assert.equal(await text, 'A started; done');
      assert.equal(await stopping.exited, 0);
      assert.deepEqual(
        stopping.lines().filter((l) => l.message).map((l) => l.message),
        ['listening', 'stopping: finishing the requests in flight', 'stopped'],
      );
      assert.ok(stopping.lines().some((l) => l.path === '/slow' && l.status === 200 && l.upstream === a.routerName));
    } finally {
      agent.destroy();
      stopping.child.kill('SIGKILL');
    }
  });

  it('refuses to start without a token of at least 32 characters: exit 2 and one JSON error line', async () => {
    for (const [token, message] of [
      ['', /MODELDEPLOY_ROUTER_TOKEN is not set/],
      ['too-short', /MODELDEPLOY_ROUTER_TOKEN is 9 characters long; it must be at least 32/],
    ] as const) {
      const child = spawn(process.execPath, [ROUTER], { env: { ...process.env, MODELDEPLOY_ROUTER_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
      child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 2);
      const lines = output.trim().split('\n');
      assert.equal(lines.length, 1, output);
      const line = JSON.parse(lines[0]) as { level: string; message: string };
      assert.equal(line.level, 'error');
      assert.match(line.message, message);
    }
  });
});

describe('the router access log line', () => {
  it('is the JSON of its fields, attempts and aborted only when they happened', () => {
    const cases: [Parameters<typeof routerAccessLogLine>, Record<string, unknown>][] = [
      [['POST', '/v2/models/iris/infer', 200, 1.5, 'iris-blue:8080', 1, false], { method: 'POST', path: '/v2/models/iris/infer', status: 200, ms: 1.5, upstream: 'iris-blue:8080' }],
      [['GET', '/down', 502, 0, 'iris-green:8080', 2, false], { method: 'GET', path: '/down', status: 502, ms: 0, upstream: 'iris-green:8080', attempts: 2 }],
      [['GET', '/a "quoted" \\ päth\n', 499, 12.3, 'h:1', 1, true], { method: 'GET', path: '/a "quoted" \\ päth\n', status: 499, ms: 12.3, upstream: 'h:1', aborted: true }],
      [[undefined, '/', 503, 0.1, undefined, 1, false], { path: '/', status: 503, ms: 0.1, upstream: null }],
    ];
    for (const [args, fields] of cases) {
      const line = routerAccessLogLine(...args);
      const parsed = JSON.parse(line) as Record<string, unknown>;
      assert.ok(!Number.isNaN(Date.parse(String(parsed.time))));
      assert.equal(line, JSON.stringify({ time: parsed.time, ...fields }));
    }
  });
});

describe('the router configuration', () => {
  const base = { MODELDEPLOY_ROUTER_TOKEN: TOKEN };

  it('has defaults for everything but the token', () => {
    const config = routerConfig(base);
    assert.deepEqual({ host: config.host, port: config.port, adminPort: config.adminPort, upstream: config.upstream, environment: config.environment }, { host: '0.0.0.0', port: 8080, adminPort: 8081, upstream: undefined, environment: undefined });
    assert.deepEqual(routerConfig({ ...base, MODELDEPLOY_UPSTREAM: 'http://iris-blue:8080' }).upstream, { url: 'http://iris-blue:8080', name: 'iris-blue:8080', host: 'iris-blue', port: 8080 });
  });

  it('names the variable at fault', () => {
    assert.throws(() => routerConfig({}), /MODELDEPLOY_ROUTER_TOKEN is not set/);
    assert.throws(() => routerConfig({ MODELDEPLOY_ROUTER_TOKEN: `${'x'.repeat(31)} ` }), /printable ASCII/);
    assert.throws(() => routerConfig({ ...base, MODELDEPLOY_ROUTER_PORT: 'eighty' }), /MODELDEPLOY_ROUTER_PORT=eighty is not a whole number/);
    assert.throws(() => routerConfig({ ...base, MODELDEPLOY_ROUTER_ADMIN_PORT: '70000' }), /MODELDEPLOY_ROUTER_ADMIN_PORT=70000/);
    assert.throws(() => routerConfig({ ...base, MODELDEPLOY_ROUTER_PORT: '9000', MODELDEPLOY_ROUTER_ADMIN_PORT: '9000' }), /both 9000/);
    assert.throws(() => routerConfig({ ...base, MODELDEPLOY_UPSTREAM: 'https://iris:8080' }), /MODELDEPLOY_UPSTREAM: .*must use http:/);
    assert.throws(() => routerConfig({ ...base, MODELDEPLOY_ROUTER_ENVIRONMENT: 'prod env' }), /MODELDEPLOY_ROUTER_ENVIRONMENT/);
  });

  it('accepts only http://host:port upstream URLs', () => {
    assert.deepEqual(parseUpstreamUrl('http://Iris-Blue:8080/'), { url: 'http://iris-blue:8080', name: 'iris-blue:8080', host: 'iris-blue', port: 8080 });
    assert.deepEqual(parseUpstreamUrl('http://[::1]:9000'), { url: 'http://[::1]:9000', name: '[::1]:9000', host: '::1', port: 9000 });
    assert.equal(parseUpstreamUrl('http://iris:80').url, 'http://iris:80');
    for (const bad of ['', 'iris:8080', 'http://iris', 'https://iris:8443', 'http://iris:8080/v2', 'http://iris:8080?a=1', 'http://iris:8080#x', 'http://u:p@iris:8080', 'http://iris:0', 'http://iris:99999', 'file:///etc/passwd', 42, null]) {
      assert.throws(() => parseUpstreamUrl(bad), Error, JSON.stringify(bad));
    }
  });

  it('checks bearer tokens exactly', () => {
    const check = bearerTokenCheck(TOKEN);
    assert.equal(check(`Bearer ${TOKEN}`), true);
    assert.equal(check(`bearer ${TOKEN}`), true);
    for (const wrong of [undefined, '', 'Bearer', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `Basic ${TOKEN}`, TOKEN, `Bearer ${TOKEN} extra`]) assert.equal(check(wrong), false, String(wrong));
  });
});

describe('the router configuration of its routes file', () => {
  it('takes MODELDEPLOY_ROUTER_ROUTES_FILE only as an absolute path', () => {
    const base = { MODELDEPLOY_ROUTER_TOKEN: TOKEN };
    assert.throws(() => routerConfig({ ...base, MODELDEPLOY_ROUTER_ROUTES_FILE: 'state/routes.json' }), (error: Error) => /^MODELDEPLOY_ROUTER_ROUTES_FILE=state\/routes\.json .*absolute path/.test(error.message));
    assert.equal(routerConfig({ ...base, MODELDEPLOY_ROUTER_ROUTES_FILE: '/var/lib/modeldeploy-router/routes.json' }).routesFile, '/var/lib/modeldeploy-router/routes.json');
    assert.equal(routerConfig(base).routesFile, undefined);
  });
});
