import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkProjectConfig } from '../../src/core/project/checkProjectConfig';
import { UserError } from '../../src/core/errors';
import { ConfigError } from '../../src/core/project/configProblem';
import { loadProject } from '../../src/core/project/loadProject';
import { aliasBombConfig } from '../support/aliasBomb';
import { makeProject, REPO_ROOT } from '../support/projectFixture';
import Ajv from 'ajv';

const GOOD = `name: iris-classifier
version: 1.2.0
model: model/iris.onnx
task: classification
labels: [setosa, versicolor, virginica]
validation:
  data: data/validation.csv
  target: species
  input: { name: float_input, shape: [-1, 4] }
  metrics: [accuracy, f1_macro]
gates:
  accuracy: { min: 0.9, max_drop: 0.01 }
`;

const ALIAS_BOMB = aliasBombConfig('model/iris.onnx');

describe('project config', () => {
  // Commands compile the schema without checking it against the meta-schema: this is where it is checked.
  it('the config schema is a valid JSON Schema', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schemas', 'modeldeploy.schema.json'), 'utf8')) as object;
    const ajv = new Ajv({ strict: false });
    assert.equal(ajv.validateSchema(schema), true, ajv.errorsText(ajv.errors));
  });

  let project: { dir: string; cleanup: () => void };
  before(() => {
    project = makeProject({ 'model/iris.onnx': 'x', '..iris.onnx': 'x', 'data/validation.csv': 'a,species\n1,setosa\n', 'sample.json': '{}', 'notes.txt': '' });
  });
  after(() => project.cleanup());

  const check = (text: string) => checkProjectConfig(text, path.join(project.dir, 'modeldeploy.yaml'));
  const errors = (text: string) => check(text).problems.filter((p) => p.severity === 'error');

  it('accepts a good config and fills in the defaults', () => {
    const result = check(GOOD);
    assert.deepEqual(result.problems, []);
    const config = result.config!;
    assert.equal(config.name, 'iris-classifier');
    assert.equal(config.model, path.join(project.dir, 'model/iris.onnx'));
    assert.equal(config.validation?.data, path.join(project.dir, 'data/validation.csv'));
    assert.equal(config.validation?.input.scale, 1);
    assert.deepEqual(config.validation?.metrics, ['accuracy', 'f1_macro']);
    assert.equal(config.image.base, 'node:20-bookworm-slim');
    assert.equal(config.image.platform, 'linux/amd64');
    assert.deepEqual(
      config.environments.map((e) => e.name),
      ['staging', 'production'],
    );
  });

  it('reads an environment\'s url and the drift threshold, 0.2 by default', () => {
    assert.equal(check(GOOD).config!.watch.driftThreshold, 0.2);
    const config = check(`${GOOD}environments:\n  production: { registry: r.example.com, url: "https://models.example.com/iris" }\nwatch: { drift_threshold: 0.25 }\n`).config!;
    assert.equal(config.environments[0].url, 'https://models.example.com/iris');
    assert.equal(config.watch.driftThreshold, 0.25);
  });

  it('defaults the metrics by task', () => {
    const config = check(GOOD.replace('  metrics: [accuracy, f1_macro]\n', '')).config!;
    assert.deepEqual(config.validation?.metrics, ['accuracy', 'precision_macro', 'recall_macro', 'f1_macro', 'roc_auc', 'log_loss']);
  });

  // Each bad config: the text, the line of the first error, and pieces its message (with hint) must contain.
  const badConfigs: { title: string; text: string; line: number; column?: number; contains: string[] }[] = [
    { title: 'a misspelt top-level key', text: GOOD.replace('model:', 'modle:'), line: 3, column: 1, contains: ['unknown key "modle"', 'did you mean "model"'] },
    { title: 'a misspelt nested key', text: GOOD.replace('  target:', '  traget:'), line: 8, contains: ['unknown key "traget" in "validation"', 'did you mean "target"'] },
    { title: 'a missing required key', text: GOOD.replace('task: classification\n', ''), line: 1, contains: ['missing required key "task"'] },
    { title: 'a version YAML reads as a number', text: GOOD.replace('version: 1.2.0', 'version: 1.2'), line: 2, column: 10, contains: ['"version" must be a string, not number 1.2', 'quotes'] },
    { title: 'a version that is not semver', text: GOOD.replace('version: 1.2.0', 'version: "v1"'), line: 2, contains: ['semantic version'] },
    { title: 'an image name with capitals', text: GOOD.replace('name: iris-classifier', 'name: Iris'), line: 1, contains: ['"name" must be lowercase'] },
    { title: 'an unknown task', text: GOOD.replace('task: classification', 'task: clasification'), line: 4, contains: ['"task" must be one of classification, regression, raw', 'did you mean "classification"'] },
    { title: 'a model path outside the project', text: GOOD.replace('model/iris.onnx', '../iris.onnx'), line: 3, contains: ['points outside the project folder'] },
    { title: 'an absolute model path', text: GOOD.replace('model/iris.onnx', '/etc/passwd.onnx'), line: 3, contains: ['must be a path relative to the project folder'] },
    { title: 'a model file that does not exist', text: GOOD.replace('model/iris.onnx', 'model/missing.onnx'), line: 3, contains: ['model file "model/missing.onnx" does not exist'] },
    { title: 'a model that is not .onnx', text: GOOD.replace('model/iris.onnx', 'notes.txt'), line: 3, contains: ['must end with .onnx'] },
    { title: 'validation data that does not exist', text: GOOD.replace('data/validation.csv', 'data/nope.csv'), line: 7, contains: ['validation data file "data/nope.csv" does not exist'] },
    { title: 'validation data of an unsupported kind', text: GOOD.replace('data/validation.csv', 'notes.txt'), line: 7, contains: ['must end with .csv or .csv.gz or .jsonl'] },
    { title: 'a regression metric on a classifier', text: GOOD.replace('metrics: [accuracy, f1_macro]', 'metrics: [accuracy, rmse]'), line: 10, contains: ['rmse', 'classification'] },
    { title: 'an unknown metric', text: GOOD.replace('metrics: [accuracy, f1_macro]', 'metrics: [acuracy]'), line: 10, contains: ['must be one of', 'did you mean "accuracy"'] },
    { title: 'a gate on an unknown metric', text: GOOD.replace('  accuracy: { min', '  acuracy: { min'), line: 12, column: 3, contains: ['unknown gates key "acuracy"', 'did you mean "accuracy"'] },
    { title: 'a gate with an unknown bound', text: GOOD.replace('max_drop: 0.01', 'maxdrop: 0.01'), line: 12, contains: ['unknown key "maxdrop"', 'did you mean "max_drop"'] },
    { title: 'a gate that can never pass', text: GOOD.replace('{ min: 0.9, max_drop: 0.01 }', '{ min: 0.9, max: 0.5 }'), line: 12, contains: ['min 0.9 above max 0.5'] },
    { title: 'a negative shape dimension', text: GOOD.replace('shape: [-1, 4]', 'shape: [-1, -4]'), line: 9, contains: ['"validation.input.shape[1]" must be >= -1'] },
    { title: 'a YAML syntax error', text: GOOD.replace('labels: [setosa, versicolor, virginica]', 'labels: [setosa, versicolor'), line: 6, contains: ['YAML:', 'end with a ]'] },
    { title: 'a duplicate key', text: `${GOOD}name: again\n`, line: 13, contains: ['YAML:', 'unique'] },
    { title: 'a list where a mapping belongs', text: GOOD.replace(/validation:[\s\S]*?gates:/, 'validation: [a, b]\ngates:'), line: 6, contains: ['"validation" must be an object, not a list'] },
    { title: 'a duplicate label', text: GOOD.replace('[setosa, versicolor, virginica]', '[setosa, versicolor, setosa]'), line: 5, contains: ['"labels" lists "setosa" twice'] },
    { title: 'an unknown platform', text: `${GOOD}image: { platform: linux/arm }\n`, line: 13, contains: ['"image.platform" must be one of linux/amd64, linux/arm64'] },
    { title: 'a bad environment name', text: `${GOOD}environments:\n  Prod_1: {}\n`, line: 14, contains: ['unknown environments key "Prod_1"', 'lowercase'] },
    { title: 'an environment url that is not http', text: `${GOOD}environments:\n  production: { registry: r.example.com, url: "ftp://x" }\n`, line: 14, contains: ['"environments.production.url" must be an http:// or https:// address'] },
    { title: 'a drift threshold of 0', text: `${GOOD}watch: { drift_threshold: 0 }\n`, line: 13, contains: ['"watch.drift_threshold" must be > 0'] },
    { title: 'a misspelt watch key', text: `${GOOD}watch: { drift_treshold: 0.3 }\n`, line: 13, contains: ['unknown key "drift_treshold"', 'did you mean "drift_threshold"'] },
    { title: 'an empty document', text: '', line: 1, contains: ['missing required key'] },
    { title: 'a document that is a list', text: '- a\n- b\n', line: 1, contains: ['must be a mapping'] },
    { title: 'a scale too large for a number', text: GOOD.replace('shape: [-1, 4] }', 'shape: [-1, 4], scale: 1e400 }'), line: 9, contains: ['"validation.input.scale" must be a finite number, not Infinity'] },
    { title: 'a gate bound that is not a number', text: GOOD.replace('{ min: 0.9,', '{ min: .nan,'), line: 12, contains: ['"gates.accuracy.min" must be a finite number, not NaN'] },
    { title: 'an infinite gate bound', text: GOOD.replace('{ min: 0.9,', '{ min: -.inf,'), line: 12, contains: ['"gates.accuracy.min" must be a finite number, not -Infinity'] },
    { title: 'a version with a newline', text: GOOD.replace('version: 1.2.0', 'version: "1.2.0\\n"'), line: 2, contains: ['semantic version', '"1.2.0\\n"'] },
    { title: 'a version with build metadata, which a Docker tag cannot hold', text: GOOD.replace('version: 1.2.0', 'version: 1.2.0+build.5'), line: 2, contains: ['without +build metadata'] },
    { title: 'a version longer than a Docker tag', text: GOOD.replace('version: 1.2.0', `version: 1.2.0-${'a'.repeat(130)}`), line: 2, contains: ['"version" must NOT have more than 128 characters'] },
    { title: 'a base image with a newline', text: `${GOOD}image: { base: "node:20\\nRUN x" }\n`, line: 13, contains: ['"image.base" must be an image reference', '"node:20\\nRUN x"'] },
    { title: 'a base image with a tag longer than Docker allows', text: `${GOOD}image: { base: "node:${'a'.repeat(129)}" }\n`, line: 13, contains: ['"image.base" must be an image reference', 'at most 128'] },
    { title: 'a base image with capitals', text: `${GOOD}image: { base: Node:20 }\n`, line: 13, contains: ['"image.base" must be an image reference'] },
    { title: 'aliases that expand without bound', text: ALIAS_BOMB, line: 6, contains: ['YAML: its aliases (*a and others) expand to too many values', 'write the values out'] },
  ];

  for (const bad of badConfigs) {
    it(`reports ${bad.title} with its line`, () => {
      const found = errors(bad.text);
      assert.ok(found.length > 0, 'expected an error');
      const first = found[0];
      const text = `${first.message}. ${first.hint ?? ''}`;
      for (const piece of bad.contains) assert.ok(text.includes(piece), `"${text}" should contain "${piece}"`);
      assert.equal(first.line, bad.line, `line of "${text}"`);
      if (bad.column !== undefined) assert.equal(first.column, bad.column, `column of "${text}"`);
      assert.equal(check(bad.text).config, undefined, 'no config when there are errors');
    });
  }

  it('accepts a file inside the project whose name starts with two dots', () => {
    const result = check(GOOD.replace('model/iris.onnx', '..iris.onnx'));
    assert.deepEqual(errors(GOOD.replace('model/iris.onnx', '..iris.onnx')), []);
    assert.equal(result.config?.model, path.join(project.dir, '..iris.onnx'));
  });

  it('still refuses a parent folder written in other ways', () => {
    for (const written of ['..', '../x.onnx', 'model/../../x.onnx', `..${path.sep}..iris.onnx`]) {
      const found = errors(GOOD.replace('model/iris.onnx', written));
      assert.match(found[0]?.message ?? '', /outside the project folder/, written);
    }
  });

  it('loadProject says what is wrong when modeldeploy.yaml is a folder', () => {
    fs.mkdirSync(path.join(project.dir, 'modeldeploy.yaml'));
    try {
      assert.throws(
        () => loadProject(project.dir),
        (error: unknown) => error instanceof UserError && /modeldeploy\.yaml .*is a folder, not a file/.test(error.message) && error.location?.file === path.join(project.dir, 'modeldeploy.yaml'),
      );
    } finally {
      fs.rmdirSync(path.join(project.dir, 'modeldeploy.yaml'));
    }
  });

  it('refuses a symbolic link that leads outside the project', () => {
    const outside = makeProject({ 'secret.onnx': 'x' });
    try {
      fs.symlinkSync(path.join(outside.dir, 'secret.onnx'), path.join(project.dir, 'model', 'link.onnx'));
      const found = errors(GOOD.replace('model/iris.onnx', 'model/link.onnx'));
      assert.match(found[0].message, /is a link to .*outside the project folder/);
    } finally {
      fs.rmSync(path.join(project.dir, 'model', 'link.onnx'), { force: true });
      outside.cleanup();
    }
  });

  it('warns, without failing, about labels on a regression project', () => {
    const result = check(GOOD.replace('task: classification', 'task: regression').replace('  metrics: [accuracy, f1_macro]\n', '').replace(/gates:[\s\S]*/, ''));
    assert.ok(result.config);
    assert.deepEqual(
      result.problems.map((p) => [p.severity, p.line, p.message]),
      [['warning', 5, 'labels are only used by classification projects']],
    );
  });

  it('loadProject throws a ConfigError listing every error as file:line:col', () => {
    fs.writeFileSync(path.join(project.dir, 'modeldeploy.yaml'), GOOD.replace('model:', 'modle:').replace('task: classification', 'task: nope'));
    try {
      assert.throws(
        () => loadProject(project.dir),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          const lines = error.format().split('\n');
          // The typo explains the missing "model", so it is reported once.
          assert.equal(lines.length, 2, error.format());
          assert.match(lines[0], /modeldeploy\.yaml:3:1: unknown key "modle". did you mean "model"\?/);
          assert.match(lines[1], /modeldeploy\.yaml:4:7: "task" must be one of/);
          return true;
        },
      );
    } finally {
      fs.rmSync(path.join(project.dir, 'modeldeploy.yaml'));
    }
  });

  it('loadProject says what to do when there is no config', () => {
    assert.throws(
      () => loadProject(project.dir),
      (error: unknown) => error instanceof UserError && /^no modeldeploy\.yaml in /.test(error.message) && /Initialize Project/.test(error.hint ?? ''),
    );
  });
});
