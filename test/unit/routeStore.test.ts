import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ActiveUpstream } from '../../src/runtime/activeUpstream';
import { RouteStore } from '../../src/runtime/routeStore';
import { parseUpstreamUrl } from '../../src/runtime/upstreamUrl';

const A = parseUpstreamUrl('http://model-a:8080');
const B = parseUpstreamUrl('http://model-b:8080');
const C = parseUpstreamUrl('http://model-c:8080');
const ACTIVE_SINCE = '2024-03-04T05:06:07.089Z';
const TRIAL_SINCE = '2024-03-04T06:00:00.123Z';

/** What an ActiveUpstream routes to, in plain values, to compare before and after. */
function routesOf(active: ActiveUpstream) {
  return {
    upstream: active.upstream?.url,
    since: active.activeSince,
    canary: active.canary && { url: active.canary.upstream.url, weight: active.canary.weight, since: active.canary.since },
    shadow: active.shadow && { url: active.shadow.upstream.url, since: active.shadow.since, compare: active.shadow.compare },
  };
}

/** An ActiveUpstream on A since a fixed time, with a canary on C: what a failed restore must leave alone. */
function routingToA(): ActiveUpstream {
  const active = new ActiveUpstream();
  active.switchTo(A, new Date('2020-01-01T00:00:00.000Z'));
  active.setCanary(C, 10, '2020-01-01T00:00:01.000Z');
  return active;
}

describe('the route store', () => {
  let dir: string;
  let file: string;
  let store: RouteStore;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-routes-'));
    file = path.join(dir, 'routes.json');
    store = new RouteStore(file);
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('restores an active upstream and its canary as saved: url, since and weight exactly', () => {
    const saved = new ActiveUpstream();
    saved.switchTo(B, new Date(ACTIVE_SINCE));
    saved.setCanary(C, 25, TRIAL_SINCE);
    store.save(saved);

    // Another upstream to start from, as a router does from its configured one.
    const restored = new ActiveUpstream(A);
    assert.equal(new RouteStore(file).restore(restored), true);
    assert.deepEqual(routesOf(restored), { upstream: B.url, since: ACTIVE_SINCE, canary: { url: C.url, weight: 25, since: TRIAL_SINCE }, shadow: undefined });
    assert.deepEqual(restored.upstream, B);
    // The split works on the restored canary: 25 of 100 requests.
    let canary = 0;
    for (let i = 0; i < 100; i++) {
      const lease = restored.lease()!;
      if (lease.upstream.url === C.url) canary++;
      lease.release();
    }
    assert.equal(canary, 25);
  });

  it('restores an active upstream and its shadow as saved: url, since and compare exactly', () => {
    const saved = new ActiveUpstream();
    saved.switchTo(B, new Date(ACTIVE_SINCE));
    saved.setShadow(C, { output: 'probabilities', task: 'classification' }, TRIAL_SINCE);
    store.save(saved);

    const restored = new ActiveUpstream(A);
    assert.equal(store.restore(restored), true);
    assert.deepEqual(routesOf(restored), { upstream: B.url, since: ACTIVE_SINCE, canary: undefined, shadow: { url: C.url, since: TRIAL_SINCE, compare: { output: 'probabilities', task: 'classification' } } });
    assert.deepEqual(restored.shadow?.upstream, C);
  });

  it('restores an active upstream alone, with no canary or shadow', () => {
    const saved = new ActiveUpstream();
    saved.switchTo(B, new Date(ACTIVE_SINCE));
    store.save(saved);
    const restored = new ActiveUpstream(A);
    assert.equal(store.restore(restored), true);
    assert.deepEqual(routesOf(restored), { upstream: B.url, since: ACTIVE_SINCE, canary: undefined, shadow: undefined });
  });

  it('returns false and changes nothing when there is no file yet', () => {
    const active = routingToA();
    const before = routesOf(active);
    assert.equal(store.restore(active), false);
    assert.deepEqual(routesOf(active), before);
    assert.equal(fs.existsSync(file), false);
  });

  describe('with a file it cannot use', () => {
    const valid = { upstream: B.url, since: ACTIVE_SINCE };
    const cases: { name: string; content: string | object; field: RegExp }[] = [
      { name: 'not JSON', content: '{"upstream": "http://model-b:8080", ', field: /not JSON/ },
      { name: 'not an object', content: 'null', field: /not an object/ },
      { name: 'an upstream that is not a URL', content: { ...valid, upstream: 'model-b' }, field: /upstream: .*not a URL/ },
      { name: 'an upstream with a path', content: { ...valid, upstream: 'http://model-b:8080/v2' }, field: /upstream: / },
      { name: 'a canary url that is not a URL', content: { ...valid, canary: { url: 42, weight: 10, since: TRIAL_SINCE } }, field: /canary\.url: / },
      { name: 'canary.weight 0', content: { ...valid, canary: { url: C.url, weight: 0, since: TRIAL_SINCE } }, field: /canary\.weight .*not 0/ },
      { name: 'canary.weight 100', content: { ...valid, canary: { url: C.url, weight: 100, since: TRIAL_SINCE } }, field: /canary\.weight .*not 100/ },
      { name: 'canary.weight 2.5', content: { ...valid, canary: { url: C.url, weight: 2.5, since: TRIAL_SINCE } }, field: /canary\.weight .*not 2\.5/ },
      { name: 'canary.weight "25"', content: { ...valid, canary: { url: C.url, weight: '25', since: TRIAL_SINCE } }, field: /canary\.weight / },
      {
        name: 'both a canary and a shadow',
        content: { ...valid, canary: { url: C.url, weight: 10, since: TRIAL_SINCE }, shadow: { url: C.url, since: TRIAL_SINCE, compare: {} } },
        field: /both a canary and a shadow/,
      },
      { name: 'since that is not a time', content: { ...valid, since: 'yesterday' }, field: /since is not an ISO time: "yesterday"/ },
      { name: 'since a date but not in ISO form', content: { ...valid, since: 'March 7, 2024' }, field: /since is not an ISO time: "March 7, 2024"/ },
      { name: 'a canary that is the active upstream', content: { ...valid, canary: { url: valid.upstream, weight: 10, since: TRIAL_SINCE } }, field: /its canary is the active upstream, .*: a trial must be another version/ },
      { name: 'a shadow that is the active upstream', content: { ...valid, shadow: { url: valid.upstream, since: TRIAL_SINCE, compare: {} } }, field: /its shadow is the active upstream/ },
      { name: 'no since', content: { upstream: B.url }, field: /since is not an ISO time/ },
      { name: 'canary.since that is not a time', content: { ...valid, canary: { url: C.url, weight: 10, since: 'soon' } }, field: /canary\.since is not an ISO time/ },
      { name: 'shadow.since that is not a time', content: { ...valid, shadow: { url: C.url, since: 12, compare: {} } }, field: /shadow\.since is not an ISO time/ },
      { name: 'shadow.compare.task wrong', content: { ...valid, shadow: { url: C.url, since: TRIAL_SINCE, compare: { task: 'ranking' } } }, field: /shadow: .*compare\.task.*"ranking"/ },
      { name: 'shadow.compare with an unknown field', content: { ...valid, shadow: { url: C.url, since: TRIAL_SINCE, compare: { outputs: 'p' } } }, field: /shadow: .*"outputs"/ },
    ];
    for (const { name, content, field } of cases) {
      it(`throws an Error naming the file and the field, and changes nothing: ${name}`, () => {
        fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
        const active = routingToA();
        const before = routesOf(active);
        assert.throws(
          () => store.restore(active),
          (error: unknown) => {
            assert.ok(error instanceof Error);
            assert.ok(error.message.includes(file), `the message names the file: ${error.message}`);
            assert.match(error.message, field);
            return true;
          },
        );
        assert.deepEqual(routesOf(active), before);
      });
    }

    it('throws an Error naming the file when it cannot be read (a folder in its place)', () => {
      fs.mkdirSync(file);
      const active = routingToA();
      const before = routesOf(active);
      assert.throws(() => store.restore(active), (error: Error) => error.message.includes(`cannot read the saved routes in ${file}`));
      assert.deepEqual(routesOf(active), before);
    });
  });

  it('saves valid JSON by a rename, leaving no temporary file behind, also over an earlier save', () => {
    const active = new ActiveUpstream();
    active.switchTo(A, new Date(ACTIVE_SINCE));
    store.save(active);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { upstream: A.url, since: ACTIVE_SINCE });
    assert.deepEqual(fs.readdirSync(dir), ['routes.json']);

    active.setShadow(B, { output: 'label' }, TRIAL_SINCE);
    store.save(active);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { upstream: A.url, since: ACTIVE_SINCE, shadow: { url: B.url, since: TRIAL_SINCE, compare: { output: 'label' } } });
    assert.deepEqual(fs.readdirSync(dir), ['routes.json']);

    active.clearShadow();
    active.setCanary(C, 5, TRIAL_SINCE);
    store.save(active);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { upstream: A.url, since: ACTIVE_SINCE, canary: { url: C.url, weight: 5, since: TRIAL_SINCE } });
    assert.deepEqual(fs.readdirSync(dir), ['routes.json']);
  });

  it('writes nothing when no upstream is active', () => {
    store.save(new ActiveUpstream());
    assert.equal(fs.existsSync(file), false);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('leaves no temporary file when the rename fails (a folder where the file goes)', () => {
    const file = path.join(dir, 'routes.json');
    fs.mkdirSync(file);
    fs.writeFileSync(path.join(file, 'inside'), '');
    assert.throws(() => new RouteStore(file).save(new ActiveUpstream(A)));
    assert.deepEqual(fs.readdirSync(dir), ['routes.json']);
  });

  it('throws when the file cannot be written', () => {
    const blocker = path.join(dir, 'not-a-folder');
    fs.writeFileSync(blocker, '');
    assert.throws(() => new RouteStore(path.join(blocker, 'routes.json')).save(new ActiveUpstream(A)), /ENOTDIR/);
  });
});
