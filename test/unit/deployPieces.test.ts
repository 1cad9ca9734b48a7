import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withEnvironmentLock } from '../../src/core/deploy/deployLock';
import { environmentOf, gatesBlock } from '../../src/core/deploy/environments';
import { appendHistory, historyFile, readHistory, type HistoryEntry } from '../../src/core/deploy/historyLog';
import { environmentPort } from '../../src/core/deploy/localEnvironment';
import { historyTag, historyTagTime } from '../../src/core/deploy/registryEnvironment';
import { UserError } from '../../src/core/errors';
import { formatHistory, formatRelease, shortDigest } from '../../src/core/report/deployReport';
import { cli } from '../support/cliProcess';
import { copyExample } from '../support/projectFixture';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function entry(values: Partial<HistoryEntry>): HistoryEntry {
  return { time: '2026-12-01T10:00:00.000Z', environment: 'staging', action: 'deploy', version: '1.0.0', digest: DIGEST, image: 'iris:1.0.0', who: 'ana@host', ...values };
}

describe('deploy pieces', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-deploy-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('the environment lock', () => {
    it('lets one change run and tells a second caller that the environment is busy, by whom', async () => {
      let release!: () => void;
      const first = withEnvironmentLock({ dir }, 'staging', 'deploy', () => new Promise<void>((resolve) => (release = resolve)));
      await new Promise((resolve) => setTimeout(resolve, 20));
      await assert.rejects(withEnvironmentLock({ dir }, 'staging', 'rollback', async () => 'second'), (error: UserError) => {
        assert.ok(error instanceof UserError);
        assert.match(error.message, new RegExp(`staging is busy: process ${process.pid} on .* \\(deploy, since`));
        return true;
      });
      assert.equal(await withEnvironmentLock({ dir }, 'production', 'deploy', async () => 'other environment'), 'other environment');
      release();
      await first;
      assert.equal(await withEnvironmentLock({ dir }, 'staging', 'deploy', async () => 'after'), 'after');
    });

    it('takes over a lock whose process is gone (a crash or kill -9), and releases on failure too', async () => {
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
      const file = path.join(dir, '.modeldeploy', 'locks', 'staging.lock');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify({ pid: Number(dead.stdout), host: os.hostname(), action: 'deploy', since: new Date().toISOString() }));
      await assert.rejects(withEnvironmentLock({ dir }, 'staging', 'deploy', async () => Promise.reject(new Error('boom'))), /boom/);
      assert.equal(fs.existsSync(file), false, 'the lock is released when the work fails');
      fs.writeFileSync(file, '{"pid": ');
      assert.equal(await withEnvironmentLock({ dir }, 'staging', 'deploy', async () => 'half-written lock taken over'), 'half-written lock taken over');
    });

    it('a lock from another machine (a shared folder) is busy for an hour, then taken over', async () => {
      const file = path.join(dir, '.modeldeploy', 'locks', 'staging.lock');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const foreign = (minutesAgo: number) => JSON.stringify({ pid: process.pid, host: `not-${os.hostname()}`, action: 'deploy', since: new Date(Date.now() - minutesAgo * 60_000).toISOString() });
      fs.writeFileSync(file, foreign(59));
      await assert.rejects(withEnvironmentLock({ dir }, 'staging', 'deploy', async () => 'taken'), /staging is busy: process \d+ on not-/);
      fs.writeFileSync(file, foreign(61));
      assert.equal(await withEnvironmentLock({ dir }, 'staging', 'deploy', async () => 'taken'), 'taken');
    });
  });

  describe('the audit trail', () => {
    it('appends entries and reads one environment newest first, skipping a torn line', async () => {
      await appendHistory({ dir }, entry({ time: '2026-12-01T10:00:00.000Z', version: '1.0.0' }));
      await appendHistory({ dir }, entry({ time: '2026-12-01T11:00:00.000Z', version: '2.0.0', environment: 'production' }));
      await appendHistory({ dir }, entry({ time: '2026-12-01T12:00:00.000Z', version: '2.0.0' }));
      fs.appendFileSync(historyFile({ dir }), '{"time": "2026-12-01T13');
      const staging = await readHistory({ dir }, 'staging');
      assert.deepEqual(staging.map((e) => e.version), ['2.0.0', '1.0.0']);
      assert.equal((await readHistory({ dir })).length, 3);
      assert.deepEqual(await readHistory({ dir: path.join(dir, 'none') }), []);
    });
  });

  describe('history tags', () => {
    it('name the environment and the UTC second, and read back', () => {
      const when = new Date('2026-12-01T21:04:05.678Z');
      assert.equal(historyTag('production', when), 'production-20261201T210405Z');
      assert.equal(historyTagTime('production', 'production-20261201T210405Z')?.toISOString(), '2026-12-01T21:04:05.000Z');
      assert.equal(historyTagTime('production', 'staging-20261201T210405Z'), undefined);
      assert.equal(historyTagTime('production', 'production'), undefined);
      assert.equal(historyTagTime('prod', 'production-20261201T210405Z'), undefined);
    });
  });

  describe('environments', () => {
    const project = { configFile: '/p/modeldeploy.yaml', environments: [{ name: 'staging', approval: 'none' as const }, { name: 'production', approval: 'required' as const }] };

    it('finds an environment by name and names the ones there are otherwise', () => {
      assert.equal(environmentOf(project, 'production').approval, 'required');
      assert.throws(() => environmentOf(project, 'prod'), (error: UserError) => /the project has no environment "prod"/.test(error.message) && /choose one of staging, production/.test(error.hint ?? ''));
      assert.throws(() => environmentOf(project, undefined), (error: UserError) => error.hint === 'name one with --env: staging, production');
    });

    it('blocks on gates in production only', () => {
      assert.equal(gatesBlock({ name: 'production' }), true);
      assert.equal(gatesBlock({ name: 'staging' }), false);
    });

    it('keep a stable local port per project and environment, or the configured one', () => {
      const iris = { name: 'iris', dir: '/work/iris' };
      const staging = environmentPort(iris, { name: 'staging', approval: 'none' });
      assert.equal(environmentPort(iris, { name: 'staging', approval: 'none' }), staging);
      assert.notEqual(environmentPort(iris, { name: 'production', approval: 'none' }), staging);
      assert.ok(staging >= 20000 && staging < 30000);
      assert.equal(environmentPort(iris, { name: 'staging', approval: 'none', run: { port: 8601 } }), 8601);
    });
  });

  describe('reports', () => {
    it('shorten digests and say what a release did', () => {
      assert.equal(shortDigest(DIGEST), 'sha256:abababababab');
      const text = formatRelease({ environment: 'staging', version: '2.0.0', digest: DIGEST, image: 'iris:2.0.0', url: 'http://127.0.0.1:24683', changed: true, smoke: { parityMaxAbsDiff: 0, latencyP95Ms: 3.2 }, swapMs: 2500 });
      assert.match(text, /staging now runs 2\.0\.0 \(sha256:abababababab\) from iris:2\.0\.0/);
      assert.match(text, /parity 0; p95 latency 3\.2 ms/);
      assert.match(text, /serving at http:\/\/127\.0\.0\.1:24683/);
      assert.match(formatRelease({ environment: 'staging', version: '2.0.0', digest: DIGEST, image: 'iris:2.0.0', changed: false }), /already runs 2\.0\.0.*nothing changed/);
    });

    it('say what a trial release did: a shadow started, promoted, rolled back, and a canary beside it', () => {
      const base = { environment: 'production', version: '3.0.0', digest: DIGEST, image: 'iris:3.0.0', url: 'http://127.0.0.1:24683', changed: true };
      const started = formatRelease({ ...base, shadow: { version: '3.0.0', beside: '2.0.0', state: 'running' }, smoke: { latencyP95Ms: 3.2 }, swapMs: 1800 });
      assert.match(started, /production answers every request with 2\.0\.0; the shadow 3\.0\.0 \(sha256:abababababab\) gets a copy of each inference request, its answers compared with 2\.0\.0's/);
      assert.match(started, /the shadow got its first copies 1\.8 s after it was started/);
      assert.match(started, /watch the comparison: modeldeploy watch --env production/);
      assert.match(started, /promote it: modeldeploy promote --shadow --env production\nroll it back: modeldeploy rollback --env production/);
      assert.match(formatRelease({ ...base, shadow: { version: '3.0.0', beside: '2.0.0', state: 'promoted' } }), /production now runs 3\.0\.0 \(sha256:abababababab\) with every request: the shadow was promoted; 2\.0\.0 is removed/);
      const aborted = formatRelease({ ...base, version: '2.0.0', shadow: { version: '3.0.0', beside: '2.0.0', state: 'aborted' } });
      assert.match(aborted, /production runs 2\.0\.0 alone again: the shadow 3\.0\.0 was rolled back and removed/);
      assert.doesNotMatch(aborted, /promote it/);
      const canary = formatRelease({ ...base, canary: { version: '3.0.0', beside: '2.0.0', state: 'running', share: 10 } });
      assert.match(canary, /production runs 2\.0\.0 with 90 % of the requests and the canary 3\.0\.0 \(sha256:abababababab\) with 10 %/);
      assert.match(canary, /promote it: modeldeploy promote --canary --env production/);
      assert.match(formatHistory([{ ...entry({ shadow: true }), current: false }, { ...entry({ canary: 10 }), current: false }]), /deploy \(shadow\)[\s\S]*deploy \(canary 10 %\)/);
    });

    it('show the history with the current entry marked', () => {
      const text = formatHistory([{ ...entry({ action: 'rollback', metrics: { accuracy: 0.7777777 } }), current: true }, { ...entry({ version: '2.0.0' }), current: false }]);
      const lines = text.split('\n');
      assert.match(lines[2], /^\*\s+2026-12-01T10:00:00Z\s+rollback\s+1\.0\.0\s+sha256:abababababab\s+ana@host\s+accuracy 0\.7778$/);
      assert.match(lines[3], /^\s+2026-12-01T10:00:00Z\s+deploy\s+2\.0\.0/);
      assert.equal(formatHistory([]), 'no deploys yet');
    });
  });

  describe('the command line', function () {
    this.timeout(60_000);

    it('asks which environment, and names the ones the project has, before touching the engine', () => {
      const copy = copyExample('iris');
      try {
        const run = cli(['deploy', '--project', copy.dir], { env: { DOCKER_HOST: 'tcp://127.0.0.1:1' } });
        assert.equal(run.code, 2);
        assert.match(run.stderr, /error: which environment\?\. name one with --env: staging, production/);
        const unknown = cli(['diff', '--env', 'qa', '--project', copy.dir, '--json'], { env: { DOCKER_HOST: 'tcp://127.0.0.1:1' } });
        assert.equal(unknown.code, 2);
        assert.match(JSON.parse(unknown.stdout).error.message, /no environment "qa"/);
      } finally {
        copy.cleanup();
      }
    });

    it('refuses a login without a piped password and never takes it as an argument', () => {
      const run = cli(['login', '--registry', '127.0.0.1:1', '--username', 'ana'], { env: { DOCKER_CONFIG: dir } });
      assert.equal(run.code, 2);
      assert.match(run.stderr, /no password on stdin|read from stdin/);
      assert.equal(fs.existsSync(path.join(dir, 'config.json')), false);
    });
  });
});
