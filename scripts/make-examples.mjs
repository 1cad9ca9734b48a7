// Writes the example projects under examples/ and the fixture models under test/fixtures/models/, then
// checks every model with onnxruntime. Deterministic: running it again gives the same bytes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { housePricesProject, irisProject } from './examples/exampleProjects.mjs';
import { fixtureModels } from './examples/fixtureModels.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function write(file, content) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

async function score(file, input, rows) {
  const session = await ort.InferenceSession.create(file);
  const data = Float32Array.from(rows.flat());
  const out = await session.run({ [input]: new ort.Tensor('float32', data, [rows.length, rows[0].length]) });
  return out[session.outputNames[0]].data;
}

for (const project of [irisProject(), housePricesProject()]) {
  const dir = path.join(root, 'examples', project.dir);
  for (const [name, content] of Object.entries(project.files)) write(path.join(dir, name), content);
  for (const model of project.check.models) {
    const out = await score(path.join(dir, model), project.check.input, project.check.rows);
    const { truth } = project.check;
    if (project.dir === 'iris') {
      const correct = truth.filter((t, i) => [0, 1, 2].reduce((best, k) => (out[i * 3 + k] > out[i * 3 + best] ? k : best), 0) === t).length;
      console.log(`${project.dir}/${model}: accuracy ${(correct / truth.length).toFixed(4)} on ${truth.length} validation rows`);
    } else {
      const rmse = Math.sqrt(truth.reduce((a, t, i) => a + (t - out[i]) ** 2, 0) / truth.length);
      console.log(`${project.dir}/${model}: rmse ${rmse.toFixed(3)} on ${truth.length} validation rows`);
    }
  }
}

const fixtures = path.join(root, 'test', 'fixtures', 'models');
for (const [name, bytes] of Object.entries(fixtureModels)) {
  write(path.join(fixtures, name), bytes);
  const session = await ort.InferenceSession.create(path.join(fixtures, name));
  console.log(`test/fixtures/models/${name}: inputs ${JSON.stringify(session.inputMetadata)} outputs ${JSON.stringify(session.outputMetadata)}`);
}
