import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decileBins } from '../../src/core/drift/decileBins';
import { driftFromSamples } from '../../src/core/drift/driftFromSamples';
import type { InputProfile } from '../../src/core/drift/inputProfile';
import { httpRequest as request } from '../../src/core/http/httpRequest';
import { contextEntries } from '../../src/core/packaging/buildImage';
import { loadProject } from '../../src/core/project/loadProject';
import { validateProject } from '../../src/core/validation/validateProject';
import { parsePrometheusText } from '../../src/core/watch/parsePrometheusText';
import { runtimeConfig } from '../../src/runtime/runtimeConfig';
import { copyExample, REPO_ROOT } from '../support/projectFixture';

const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

/** The runtime.json a build would bake into the image. */
function metadataFile(dir: string, inputProfile?: InputProfile): string {
  const project = loadProject(dir);
  const entry = contextEntries(project, 'FROM scratch\n', [], inputProfile).find((e) => e.archivePath === 'runtime.json')!;
  const file = path.join(dir, 'runtime.json');
  fs.writeFileSync(file, (entry as { content: string }).content);
  return file;
}

describe('the input profile, from validation to the runtime', function () {
  this.timeout(60_000);
  let iris: { dir: string; cleanup: () => void };
  let profile: InputProfile;
  before(async () => {
    iris = copyExample('iris');
    profile = (await validateProject(loadProject(iris.dir))).inputProfile!;
  });
  after(() => iris.cleanup());

  it('validate profiles each iris column at its exact deciles, as float32 like the model input, and stores the profile', () => {
    assert.deepEqual({ ...profile, features: [] }, { input: 'float_input', kind: 'columns', rowSize: 4, rows: 45, sampledRows: 45, features: [] });
    assert.deepEqual(
      profile.features.map((f) => f.name),
      FEATURES,
    );
    const [header, ...lines] = fs.readFileSync(path.join(iris.dir, 'data', 'validation.csv'), 'utf8').trim().split('\n');
    const columns = header.split(',');
    for (const feature of profile.features) {
      const at = columns.indexOf(feature.name);
      const values = Float64Array.from(lines, (line) => Math.fround(Number(line.split(',')[at])));
      assert.deepEqual({ name: feature.name, ...decileBins(values) }, feature);
    }
    const stored = JSON.parse(fs.readFileSync(path.join(iris.dir, '.modeldeploy', 'metrics', '2.0.0.json'), 'utf8'));
    assert.deepEqual(stored.inputProfile, profile);
  });

  it('the build bakes it into runtime.json, and the runtime reads it back unchanged', () => {
    const withProfile = runtimeConfig({ MODELDEPLOY_METADATA: metadataFile(iris.dir, profile) });
    assert.deepEqual(withProfile.inputProfile, profile);
    assert.equal(withProfile.modelFile, path.join(iris.dir, 'model', 'iris-v2.onnx'));
    const without = metadataFile(iris.dir);
    assert.equal('inputProfile' in JSON.parse(fs.readFileSync(without, 'utf8')), false);
    assert.equal(runtimeConfig({ MODELDEPLOY_METADATA: without }).inputProfile, undefined);
  });

  it('the runtime process counts live rows into the baked-in bins; without a profile it has no drift metrics', async () => {
    for (const baked of [profile, undefined]) {
      const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'runtime.js')], {
        env: { ...process.env, MODELDEPLOY_METADATA: metadataFile(iris.dir, baked), MODELDEPLOY_HOST: '127.0.0.1', MODELDEPLOY_PORT: '0' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        const listening = await new Promise<{ url: string; driftFeatures: string[] }>((resolve, reject) => {
          let out = '';
          child.stdout!.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            const line = out.split('\n').find((l) => l.includes('"listening"'));
            if (line) resolve(JSON.parse(line));
          });
          child.on('exit', (code) => reject(new Error(`the runtime exited ${code}: ${out}`)));
        });
        assert.deepEqual(listening.driftFeatures, baked ? FEATURES : []);
        while ((await request(`${listening.url}/v2/health/ready`)).status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
        // Two rows: the lowest and the highest of each validation column, so the first and last bins.
        const lows = profile.features.map((f) => f.edges[0]);
        const highs = profile.features.map((f) => f.edges.at(-1)! + 1);
        const answer = await request(`${listening.url}/v2/models/iris-classifier/infer`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'float_input', shape: [2, 4], datatype: 'FP32', data: [...lows, ...highs] }] }) });
        assert.equal(answer.status, 200, answer.text);
        const drift = driftFromSamples(parsePrometheusText((await request(`${listening.url}/metrics`)).text), 0.2);
        if (!baked) {
          assert.deepEqual(drift, []);
          continue;
        }
        assert.deepEqual(
          drift.map((d) => d.feature),
          FEATURES,
        );
        for (const [f, feature] of drift.entries()) {
          assert.deepEqual(feature.expected, profile.features[f].expected);
          assert.deepEqual(feature.counts, profile.features[f].expected.map((_, bin, all) => (bin === 0 || bin === all.length - 1 ? 1 : 0)), feature.feature);
        }
      } finally {
        child.kill('SIGKILL');
      }
    }
  });
});
