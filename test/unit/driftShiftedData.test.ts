import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { driftBetweenScrapes, driftFromSamples, type FeatureDrift } from '../../src/core/drift/driftFromSamples';
import type { InputProfile } from '../../src/core/drift/inputProfile';
import { httpRequest as request } from '../../src/core/http/httpRequest';
import { DEFAULT_DRIFT_THRESHOLD } from '../../src/core/project/projectConfig';
import { loadProject } from '../../src/core/project/loadProject';
import { validateProject } from '../../src/core/validation/validateProject';
import type { MetricSample } from '../../src/core/watch/metricSample';
import { parsePrometheusText } from '../../src/core/watch/parsePrometheusText';
import type { ModelServer } from '../../src/runtime/startServer';
import { makeMnistProject } from '../support/mnistProject';
import { copyExample, SHARED_DATA } from '../support/projectFixture';
import { IRIS, serve } from '../support/servingFixture';

const MNIST = path.join(SHARED_DATA, 'mnist');
/**
 * Test digits sent in each phase: every tenth of the set, as the set's first and second halves come from
 * different writers. Enough rows for the PSI of unshifted digits to stay near 0 (chance gives about 0.01).
 */
const DIGITS = 1000;

/** Posts each body to `url`, a few at a time, and checks every answer is 200. */
async function sendAll(url: string, bodies: string[], concurrency = 4): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const answer = await request(url, { method: 'POST', body: bodies[next++] });
        assert.equal(answer.status, 200, answer.text);
      }
    }),
  );
}

const scrape = async (server: ModelServer): Promise<MetricSample[]> => parsePrometheusText((await request(`${server.url}/metrics`)).text);
const byFeature = (drift: FeatureDrift[]) => Object.fromEntries(drift.map((d) => [d.feature, d]));

describe('input drift on real shifted data', function () {
  this.timeout(180_000);

  it('MNIST: real test digits keep both features near 0; the same digits at half brightness move mean_pixel, not ink_fraction', async () => {
    const project = makeMnistProject();
    let server: ModelServer | undefined;
    try {
      const profile = (await validateProject(loadProject(project.dir))).inputProfile!;
      assert.deepEqual([profile.input, profile.kind, profile.rowSize, profile.rows, profile.sampledRows], ['Input3', 'summary', 784, 10_000, 10_000]);
      assert.deepEqual(
        profile.features.map((f) => [f.name, f.edges.length]),
        [
          ['mean_pixel', 9],
          ['ink_fraction', 9],
        ],
      );
      server = await serve(path.join(MNIST, 'mnist-8.onnx'), 'mnist', { overrides: { inputProfile: profile } });
      const infer = `${server.url}/v2/models/mnist/infer`;
      const digits = gunzipSync(fs.readFileSync(path.join(MNIST, 'mnist_test.csv.gz')))
        .toString('utf8')
        .split('\n')
        .slice(1)
        .filter((line, i) => line && i % 10 === 0)
        .map((line) => line.split(',').slice(1).map(Number));
      const bodies = (brightness: number) => digits.map((pixels) => JSON.stringify({ inputs: [{ name: 'Input3', shape: [1, 1, 28, 28], datatype: 'FP32', data: pixels.map((p) => p * brightness) }] }));

      await sendAll(infer, bodies(1));
      const real = await scrape(server);
      const asValidated = byFeature(driftFromSamples(real, DEFAULT_DRIFT_THRESHOLD));
      await sendAll(infer, bodies(0.5));
      const dimmed = byFeature(driftBetweenScrapes(real, await scrape(server), DEFAULT_DRIFT_THRESHOLD));

      const figures = JSON.stringify(Object.fromEntries(['mean_pixel', 'ink_fraction'].map((f) => [f, { real: asValidated[f].psi, dimmed: dimmed[f].psi }])));
      for (const feature of ['mean_pixel', 'ink_fraction']) {
        assert.equal(asValidated[feature].rows, DIGITS);
        assert.ok(asValidated[feature].psi! < 0.05 && !asValidated[feature].drifting, `real digits: ${figures}`);
        assert.equal(dimmed[feature].rows, DIGITS);
      }
      assert.ok(dimmed.mean_pixel.psi! > DEFAULT_DRIFT_THRESHOLD && dimmed.mean_pixel.drifting, `half brightness: ${figures}`);
      assert.ok(dimmed.ink_fraction.psi! < DEFAULT_DRIFT_THRESHOLD && !dimmed.ink_fraction.drifting, `half brightness: ${figures}`);
      // Dimming keeps every lit pixel lit: the very same ink_fraction counts as the real digits gave.
      assert.deepEqual(dimmed.ink_fraction.counts, asValidated.ink_fraction.counts);
    } finally {
      await server?.close();
      project.cleanup();
    }
  });

  it('iris: the validation rows give a PSI of 0; with petal_length 1 cm longer, only petal_length drifts', async () => {
    const iris = copyExample('iris');
    let server: ModelServer | undefined;
    try {
      const profile: InputProfile = (await validateProject(loadProject(iris.dir))).inputProfile!;
      server = await serve(IRIS, 'iris', { overrides: { inputProfile: profile } });
      const infer = `${server.url}/v2/models/iris/infer`;
      const [header, ...lines] = fs.readFileSync(path.join(iris.dir, 'data', 'validation.csv'), 'utf8').trim().split('\n');
      const columns = header.split(',');
      const rows = lines.map((line) => profile.features.map((f) => Number(line.split(',')[columns.indexOf(f.name)])));
      // The 45 rows four times over: 180 rows, above the minimum for a flag.
      const bodies = (shift: number) => Array.from({ length: 4 }, () => JSON.stringify({ inputs: [{ name: 'float_input', shape: [rows.length, 4], datatype: 'FP32', data: rows.flatMap((r) => [r[0], r[1], r[2] + shift, r[3]]) }] }));

      await sendAll(infer, bodies(0));
      const validated = await scrape(server);
      const asValidated = driftFromSamples(validated, DEFAULT_DRIFT_THRESHOLD);
      await sendAll(infer, bodies(1));
      const shifted = byFeature(driftBetweenScrapes(validated, await scrape(server), DEFAULT_DRIFT_THRESHOLD));

      const figures = JSON.stringify(Object.fromEntries(asValidated.map((d) => [d.feature, { validated: d.psi, shifted: shifted[d.feature].psi }])));
      for (const feature of asValidated) assert.ok(feature.rows === 180 && feature.psi! < 1e-9 && !feature.drifting, `validation rows: ${figures}`);
      assert.ok(shifted.petal_length.psi! > DEFAULT_DRIFT_THRESHOLD && shifted.petal_length.drifting, `shifted: ${figures}`);
      for (const feature of ['sepal_length', 'sepal_width', 'petal_width']) assert.ok(shifted[feature].psi! < 1e-9 && !shifted[feature].drifting, `shifted: ${figures}`);
    } finally {
      await server?.close();
      iris.cleanup();
    }
  });
});
