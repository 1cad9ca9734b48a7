import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { environmentStatus } from '../../src/core/deploy/environmentState';
import { environmentOf } from '../../src/core/deploy/environments';
import { upstreamOf } from '../../src/core/deploy/localEnvironment';
import { ROUTER_SHADOW_METRICS } from '../../src/core/deploy/routerMetricNames';
import { openModel } from '../../src/core/model/inspectModel';
import { onnxRuntime } from '../../src/core/model/onnxRuntime';
import { loadProject } from '../../src/core/project/loadProject';
import { staticCredentials } from '../../src/core/registry/credentials';
import type { MetricSample } from '../../src/core/watch/metricSample';
import { DigitLoad, M1, mnistDigits, mnistProject, writeBiasedMnist, type Digit, type LoadRecord } from './canaryFixture';
import { buildVersion, environmentContainers, environmentState, historyLines, parseJson, pollUntil, runCli, runOk, useVersion, type DeployProject, type HistoryJson, type ReleaseJson } from './deployFixture';
import { docker } from './engineFixture';

/** The biased version (see writeBiasedMnist): class 0's score raised by BIAS, so some digits are called 0. */
const BIASED = { version: '8.2.0', model: 'model/mnist-biased.onnx' };
// Raw-pixel scores of this model are in the thousands: a bias of 4000 moves about a fifth of the digits.
const BIAS = 4000;

interface ShadowJson extends ReleaseJson {
  shadow?: { version: string; beside: string; state: string };
}

/** What in-process onnxruntime says of the digits with the model at `file`: each digit's scores. */
async function scoresInProcess(file: string, digits: Digit[]): Promise<Float32Array[]> {
  const { info, session } = await openModel(file);
  const ort = onnxRuntime();
  const output = info.outputs[0].name;
  try {
    const scores: Float32Array[] = [];
    for (const digit of digits) {
      const pixels = Float32Array.from((JSON.parse(digit.body) as { inputs: { data: number[] }[] }).inputs[0].data);
      const outputs = session.run({ [info.inputs[0].name]: new ort.Tensor('float32', pixels, [1, 1, 28, 28]) }, { [output]: null });
      scores.push(outputs[output].data as Float32Array);
    }
    return scores;
  } finally {
    session.release();
  }
}

const argmax = (scores: Float32Array) => scores.indexOf(Math.max(...scores));

/** The value of the shadow's series `name` at the router now (0 when it has none yet). */
function shadowValue(samples: MetricSample[], name: string, upstream: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && s.labels.upstream === upstream && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

describe('shadow releases of a local environment (MNIST 8.0.0 and a biased 8.2.0, real digits)', () => {
  let project: DeployProject;
  let v1Id: string;
  let biasedId: string;
  let stagingUrl: string;
  let digits: Digit[];

  before(async () => {
    digits = mnistDigits(200);
    project = mnistProject('it-shadow');
    writeBiasedMnist(path.join(project.dir, M1.model), path.join(project.dir, BIASED.model), BIAS);
    biasedId = await buildVersion(project, BIASED);
    v1Id = await buildVersion(project, M1);
  });
  after(async () => project?.cleanup());

  /** The router of staging: its admin client and the shadow's upstream URL. */
  async function stagingRouter() {
    const state = await environmentState(project, 'staging');
    return { admin: state.router!.admin!, shadow: state.shadow && upstreamOf(state.shadow.container), state };
  }

  it('refuses a shadow where nothing is deployed, with a canary, or to promote where none runs: exit 2, nothing started', async () => {
    useVersion(project.dir, BIASED);
    const nothing = await runCli(project.args('deploy', '--env', 'staging', '--shadow'));
    assert.equal(nothing.code, 2, nothing.stderr);
    assert.match(nothing.stderr, /nothing is deployed to staging, so a shadow has nothing to run beside/);
    const both = await runCli(project.args('deploy', '--env', 'staging', '--shadow', '--canary', '10'));
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /a deploy starts a canary or a shadow, not both/);
    const promoteNone = await runCli(project.args('promote', '--shadow', '--env', 'staging'));
    assert.equal(promoteNone.code, 2, promoteNone.stderr);
    assert.match(promoteNone.stderr, /no shadow runs in staging, so there is none to promote/);
    assert.deepEqual(await environmentContainers(project.name, 'staging'), [], 'no version container');
    assert.deepEqual(historyLines(project.dir), []);
  });

  it('starts 8.2.0 as a shadow beside 8.0.0: the --json result, the status and the history say so', async () => {
    useVersion(project.dir, M1);
    stagingUrl = parseJson<ReleaseJson>((await runOk(project.args('deploy', '--env', 'staging', '--json'))).stdout).url!;
    useVersion(project.dir, BIASED);
    const result = parseJson<ShadowJson>((await runOk(project.args('deploy', '--env', 'staging', '--shadow', '--json'))).stdout);
    assert.deepEqual(result.shadow, { version: '8.2.0', beside: '8.0.0', state: 'running' });
    assert.equal(result.url, stagingUrl, 'the environment keeps its URL');
    assert.equal(result.digest, biasedId);
    const loaded = loadProject(project.dir);
    const status = await environmentStatus(docker, loaded, environmentOf(loaded, 'staging'), staticCredentials({}));
    assert.equal(status.current?.version, '8.0.0');
    assert.deepEqual({ version: status.shadow?.version, digest: status.shadow?.digest }, { version: '8.2.0', digest: biasedId });
    const { state } = await stagingRouter();
    // The router compares the output validation scores, read as a classification.
    assert.deepEqual(state.shadow?.compare, { output: 'Plus214_Output_0', task: 'classification' });
    const history = parseJson<(HistoryJson & { shadow?: boolean })[]>((await runOk(project.args('history', '--env', 'staging', '--json'))).stdout);
    assert.deepEqual(history.map((e) => [e.action, e.version, e.shadow, e.current]), [['deploy', '8.2.0', true, false], ['deploy', '8.0.0', undefined, true]]);
    assert.match((await runOk(project.args('history', '--env', 'staging'))).stdout, /deploy \(shadow\)\s+8\.2\.0/);
  });

  it('clients get only 8.0.0\'s answers; the router finds the disagreement in-process onnxruntime finds in both models for the same 200 digits', async () => {
    const { admin, shadow } = await stagingRouter();
    assert.ok(shadow, 'a shadow runs');
    const before = (await admin.metrics()).samples;
    // One client, so that the answers come in the digits' order.
    const load = new DigitLoad(stagingUrl, project, digits, 1);
    let records: LoadRecord[];
    try {
      records = await load.send(digits.length);
    } finally {
      await load.stop();
    }
    const [served, biased] = await Promise.all([scoresInProcess(path.join(project.dir, M1.model), digits), scoresInProcess(path.join(project.dir, BIASED.model), digits)]);
    // Every client answer is the current version's, exactly as in-process inference of 8.0.0 gives it.
    assert.ok(records.every((r) => r.status === 200 && r.version === '8.0.0'), 'only 8.0.0 answered clients');
    assert.deepEqual(records.map((r) => r.predicted), served.map(argmax), 'the clients got 8.0.0\'s classes');
    // The copies are sent after the answers: wait until the shadow has answered all of them (or the router
    // has counted those it did not send, which the assertions below then name).
    const settled = async () => {
      const now = (await admin.metrics()).samples;
      return [ROUTER_SHADOW_METRICS.requests, ROUTER_SHADOW_METRICS.skipped].reduce((sum, name) => sum + shadowValue(now, name, shadow) - shadowValue(before, name, shadow), 0);
    };
    await pollUntil(async () => (await settled()) >= digits.length, 'the shadow to answer every copy', 30_000).catch(async (error: Error) => {
      const now = (await admin.metrics()).samples.filter((s) => s.name.startsWith('modeldeploy_router_shadow') && !s.name.includes('bucket'));
      throw new Error(`${error.message}: ${now.map((s) => `${s.name}${JSON.stringify(s.labels)} ${s.value}`).join('; ')}`);
    });
    const after = (await admin.metrics()).samples;
    const grew = (name: string, labels?: Record<string, string>) => shadowValue(after, name, shadow, labels) - shadowValue(before, name, shadow, labels);

    const expectedDifferences = digits.filter((_, i) => argmax(served[i]) !== argmax(biased[i])).length;
    const expectedMax = Math.max(...digits.map((_, i) => Math.max(...served[i].map((v, c) => Math.abs(v - biased[i][c])))));
    assert.ok(expectedDifferences > 10 && expectedDifferences < 190, `the biased model should disagree on some digits, not ${expectedDifferences} of 200`);
    const skipped = ['busy', 'too_large', 'incomplete'].map((reason) => `${reason} ${grew(ROUTER_SHADOW_METRICS.skipped, { reason })}`);
    assert.equal(grew(ROUTER_SHADOW_METRICS.skipped), 0, `nothing is skipped at this load: ${skipped.join(', ')}`);
    assert.equal(grew(ROUTER_SHADOW_METRICS.requests, { status: '200' }), digits.length, 'every digit was mirrored and answered');
    assert.equal(grew(ROUTER_SHADOW_METRICS.compared), digits.length);
    assert.equal(grew(ROUTER_SHADOW_METRICS.incomparable), 0);
    assert.equal(grew(ROUTER_SHADOW_METRICS.classDifferences), expectedDifferences, `the router counted ${grew(ROUTER_SHADOW_METRICS.classDifferences)} differing classes, in-process inference ${expectedDifferences}`);
    const max = shadowValue(after, ROUTER_SHADOW_METRICS.maxScoreDifference, shadow);
    assert.ok(Math.abs(max - expectedMax) < 1e-3, `largest score difference ${max}, in-process ${expectedMax}`);
    assert.ok(Math.abs(max - BIAS) < 1, `the bias is the difference: ${max}`);

    // watch reports the same comparison since the shadow started.
    const watched = parseJson<{ shadow?: { version: string; total: { compared: number; classDifferences: number; maxScoreDifference: number } } }>((await runOk(project.args('watch', '--env', 'staging', '--json', '--count', '1'))).stdout);
    assert.equal(watched.shadow?.version, '8.2.0');
    assert.equal(watched.shadow?.total.compared, shadowValue(after, ROUTER_SHADOW_METRICS.compared, shadow));
    assert.equal(watched.shadow?.total.classDifferences, shadowValue(after, ROUTER_SHADOW_METRICS.classDifferences, shadow));
  });

  it('refuses a deploy, a canary and a rollback --to while the shadow runs: exit 2, the shadow keeps running', async () => {
    useVersion(project.dir, M1);
    for (const args of [['deploy', '--env', 'staging'], ['deploy', '--env', 'staging', '--canary', '10'], ['deploy', '--env', 'staging', '--shadow']]) {
      const run = await runCli(project.args(...args));
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /a shadow of 8\.2\.0 runs in staging, receiving a copy of every request/);
      assert.match(run.stderr, /promote it \(modeldeploy promote --shadow --env staging\) or roll it back \(modeldeploy rollback --env staging\) first/);
    }
    const to = await runCli(project.args('rollback', '--env', 'staging', '--to', '8.0.0'));
    assert.equal(to.code, 2, to.stderr);
    assert.match(to.stderr, /a shadow of 8\.2\.0 runs in staging, so it is rolled back first/);
    const promoteCanary = await runCli(project.args('promote', '--canary', '--env', 'staging'));
    assert.equal(promoteCanary.code, 2, promoteCanary.stderr);
    assert.match(promoteCanary.stderr, /no canary runs in staging/);
    assert.equal((await environmentContainers(project.name, 'staging')).length, 2);
  });

  it('rollback ends the shadow: its container is removed, nothing is mirrored any more, the rollback is recorded', async () => {
    const text = await runOk(project.args('rollback', '--env', 'staging'));
    assert.match(text.stdout, /staging runs 8\.0\.0 alone again: the shadow 8\.2\.0 was rolled back and removed/);
    assert.deepEqual((await environmentContainers(project.name, 'staging')).map((c) => c.ImageID), [v1Id]);
    const { shadow, state } = await stagingRouter();
    assert.equal(shadow, undefined);
    assert.equal(state.active?.version, '8.0.0');
    const trail = historyLines(project.dir);
    assert.deepEqual([trail.at(-1)?.action, trail.at(-1)?.version, trail.at(-1)?.shadow, trail.at(-1)?.from], ['rollback', '8.0.0', true, biasedId]);
  });

  it('promote --shadow gives 8.2.0 every request; 8.0.0 drains and is removed; the history records it', async () => {
    useVersion(project.dir, BIASED);
    await runOk(project.args('deploy', '--env', 'staging', '--shadow'));
    const result = parseJson<ShadowJson>((await runOk(project.args('promote', '--shadow', '--env', 'staging', '--json'))).stdout);
    assert.deepEqual(result.shadow, { version: '8.2.0', beside: '8.0.0', state: 'promoted' });
    assert.deepEqual((await environmentContainers(project.name, 'staging')).map((c) => c.ImageID), [biasedId]);
    const load = new DigitLoad(stagingUrl, project, digits.slice(0, 20), 1);
    try {
      assert.ok((await load.send(20)).every((r) => r.status === 200 && r.version === '8.2.0'), 'every request reaches 8.2.0');
    } finally {
      await load.stop();
    }
    assert.equal((await stagingRouter()).shadow, undefined, 'the promoted shadow is no longer one');
    const history = parseJson<(HistoryJson & { shadow?: boolean })[]>((await runOk(project.args('history', '--env', 'staging', '--json'))).stdout);
    assert.deepEqual(history.slice(0, 2).map((e) => [e.action, e.version, e.shadow, e.current]), [['promote', '8.2.0', true, true], ['deploy', '8.2.0', true, false]]);
  });
});
