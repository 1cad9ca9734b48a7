import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as path from 'node:path';
import { EXAMPLES } from '../support/projectFixture';
import { recordFigure } from './figures';
import { describeCase, type FuzzCase } from './fuzz/fuzzCase';
import { problemWith, sendCase } from './fuzz/fuzzClient';
import { inferCases } from './fuzz/inferCases';
import { startRuntimeChild, type RuntimeChild } from './fuzz/runtimeChild';

/** Fixed, so that CI sends the same requests every run; MODELDEPLOY_FUZZ_SEED replays or explores another. */
const DEFAULT_SEED = 20_240_611;
const REQUESTS = 10_000;
const WARM_UP_REQUESTS = 3_000;
/** Concurrent clients: enough that bad requests share dynamic batches with good ones. */
const CLIENTS = 4;
/** Allowed RSS growth over the run: heap and native pools may settle higher, a leak per request would not stay under it. */
const RSS_GROWTH_BOUND = 64 * 1024 * 1024;
const MB = 1024 * 1024;

interface Tally {
  byStatus: Record<'2xx' | '4xx' | '5xx' | 'other' | 'no answer', number>;
  byFamily: Record<FuzzCase['family'], number>;
  problems: { c: FuzzCase; problem: string }[];
  /** The server's RSS after each thousand requests. */
  rss: number[];
}

async function sendAll(runtime: RuntimeChild, url: string, cases: FuzzCase[]): Promise<Tally> {
  const tally: Tally = { byStatus: { '2xx': 0, '4xx': 0, '5xx': 0, other: 0, 'no answer': 0 }, byFamily: { valid: 0, structural: 0, binary: 0, bytes: 0 }, problems: [], rss: [] };
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  let next = 0;
  const client = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      const outcome = await sendCase(url, c, agent);
      const status = 'error' in outcome ? 'no answer' : outcome.status >= 500 ? '5xx' : outcome.status >= 400 ? '4xx' : outcome.status >= 200 && outcome.status < 300 ? '2xx' : 'other';
      tally.byStatus[status]++;
      tally.byFamily[c.family]++;
      const problem = problemWith(c, outcome);
      if (problem) tally.problems.push({ c, problem });
      if (next % 1000 === 0) tally.rss.push(runtime.rssBytes());
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  agent.destroy();
  return tally;
}

describe('fuzzing the infer endpoint (the runtime bundle in a child process, serving the iris model)', function () {
  this.timeout(900_000);
  const seed = Number(process.env.MODELDEPLOY_FUZZ_SEED || DEFAULT_SEED);
  let runtime: RuntimeChild;
  let url: string;

  before(async () => {
    runtime = await startRuntimeChild({ MODELDEPLOY_MODEL: path.join(EXAMPLES, 'iris', 'model', 'iris-v2.onnx'), MODELDEPLOY_NAME: 'iris' });
    url = `${runtime.url}/v2/models/iris/infer`;
  });
  after(async () => runtime?.stop());

  it(`answers ${REQUESTS} generated and mutated requests with 200 or a 4xx JSON error, never a 5xx or no answer, in bounded memory`, async () => {
    assert.ok(Number.isSafeInteger(seed), `MODELDEPLOY_FUZZ_SEED=${process.env.MODELDEPLOY_FUZZ_SEED} is not a whole number`);
    console.log(`      fuzz seed ${seed} (replay with MODELDEPLOY_FUZZ_SEED=${seed})`);
    // Warm-up with other requests of every family, so the baseline has every code path compiled and its pools grown.
    const warmUp = await sendAll(runtime, url, inferCases(seed + 1, WARM_UP_REQUESTS));
    const rssStart = runtime.rssBytes();
    const run = await sendAll(runtime, url, inferCases(seed, REQUESTS));
    const rssEnd = runtime.rssBytes();
    const ready = await new Promise<number>((resolve) => http.get(`${runtime.url}/v2/health/ready`, (res) => resolve(res.resume().statusCode ?? 0)).on('error', () => resolve(0)));

    const problems = [...warmUp.problems, ...run.problems];
    const s = run.byStatus;
    const growth = rssEnd - rssStart;
    const validAnswered = run.byFamily.valid - run.problems.filter((p) => p.c.family === 'valid').length;
    recordFigure('fuzzing', `infer requests, seed ${seed}`, `${REQUESTS} (${Object.entries(run.byFamily).map(([f, n]) => `${f} ${n}`).join(', ')}): 2xx ${s['2xx']}, 4xx ${s['4xx']}, 5xx ${s['5xx']}, no answer ${s['no answer']}`, s['5xx'] + s['no answer'] + s.other === 0);
    recordFigure('fuzzing', 'valid requests answered 200', `${validAnswered}/${run.byFamily.valid}`, validAnswered === run.byFamily.valid);
    recordFigure('fuzzing', 'server process after the run', runtime.alive() ? `alive, ready ${ready}` : 'exited', runtime.alive() && ready === 200);
    recordFigure('fuzzing', `RSS growth over ${REQUESTS} requests (bound ${RSS_GROWTH_BOUND / MB} MB)`, `${(rssStart / MB).toFixed(1)} MB after ${WARM_UP_REQUESTS} warm-up -> ${(rssEnd / MB).toFixed(1)} MB (${growth >= 0 ? '+' : ''}${(growth / MB).toFixed(1)} MB; peak ${(Math.max(...run.rss) / MB).toFixed(1)} MB)`, growth <= RSS_GROWTH_BOUND);

    const shown = problems.slice(0, 5).map((p) => `${p.problem}\n  request: ${describeCase(p.c, 600)}`);
    assert.equal(problems.length, 0, `${problems.length} request(s) answered wrongly (seed ${seed}); the first:\n${shown.join('\n')}`);
    assert.ok(runtime.alive(), `the runtime exited:\n${runtime.output().slice(-2000)}`);
    assert.equal(ready, 200, 'the runtime is still ready');
    assert.ok(growth <= RSS_GROWTH_BOUND, `RSS grew ${(growth / MB).toFixed(1)} MB, over ${RSS_GROWTH_BOUND / MB} MB`);
  });
});
