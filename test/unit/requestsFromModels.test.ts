import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../src/core/errors';
import { inspectModel } from '../../src/core/model/inspectModel';
import { inferLocally } from '../../src/core/predict/inferLocally';
import { generateRequest, parseRequest, readRequestFile } from '../../src/core/predict/requestFile';
import { cli } from '../support/cliProcess';
import { FIXTURE_MODELS, makeProject, SHARED_DATA } from '../support/projectFixture';

describe('request files and requests made from real models', () => {
  describe('readRequestFile', () => {
    let project: { dir: string; cleanup: () => void };
    before(() => {
      project = makeProject({
        'bad.json': '{\n  "inputs": [\n    {"name": "x", "shape": [1], "datatype": "FP32", "data": [1,]}\n  ]\n}\n',
        'good.json': JSON.stringify({ inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }] }),
        'modeldeploy.yaml': 'name: req\nversion: 1.0.0\nmodel: m.onnx\ntask: raw\n',
        'm.onnx': fs.readFileSync(path.join(FIXTURE_MODELS, 'symbolic-dims.onnx')),
      });
    });
    after(() => project.cleanup());

    it('bad JSON in a file gives the file, line and column of the mistake, in one line', () => {
      const file = path.join(project.dir, 'bad.json');
      assert.throws(
        () => readRequestFile(file),
        (error: UserError) => error instanceof UserError && error.location?.file === file && error.location.line === 3 && error.location.column === 64 && error.message === "not valid JSON: Unexpected token ']'",
      );
    });

    // Node's messages give a position for some mistakes and not for others: each is found.
    const mistakes: [string, string, number, number][] = [
      ['a trailing comma in a list', '{"inputs": [\n  {"data": [1, 2,]}\n]}', 2, 18],
      ['NaN', '{"inputs": [{"data": [NaN]}]}', 1, 23],
      ['a misspelt literal', '{\n"inputs": [{"data": [tru]}]}', 2, 25],
      ['a missing comma', '{"inputs": [{"name": "x" "shape": [1]}]}', 1, 26],
      ['a trailing comma in an object', '{"inputs": [{"name": "x",}]}', 1, 26],
      ['a cut-off file', '{"inputs": [\n{"name": "x"', 2, 13],
      ['an empty file', '', 1, 1],
    ];
    for (const [what, text, line, column] of mistakes) {
      it(`${what}: line ${line}, column ${column}`, () => {
        assert.throws(
          () => parseRequest(text, '/p/r.json'),
          (error: UserError) => error.location?.line === line && error.location.column === column && /^not valid JSON: [^\n]+$/.test(error.message),
        );
      });
    }

    it('in a batch file, the line is the line of the file', () => {
      assert.throws(() => parseRequest('{"inputs": [1,]}', '/p/b.jsonl', 41), (error: UserError) => error.location?.line === 42 && error.location.column === 15);
    });

    it('a missing file says it does not exist, and where it was looked for', () => {
      const file = path.join(project.dir, 'missing.json');
      assert.throws(() => readRequestFile(file), (error: UserError) => error instanceof UserError && error.location?.file === file && error.message === 'cannot read the request file: it does not exist');
    });

    it('a good file gives the request', () => {
      assert.deepEqual(readRequestFile(path.join(project.dir, 'good.json')), { inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }] });
    });

    it('predict --input with bad JSON: exit 2 and file:line:col, before anything is sent', () => {
      // No server listens on port 1: reaching the network would give another message.
      const run = cli(['predict', '--input', 'bad.json', '--url', 'http://127.0.0.1:1', '--project', project.dir], { cwd: project.dir });
      assert.equal(run.code, 2);
      assert.equal(run.stderr, "error: bad.json:3:64: not valid JSON: Unexpected token ']'\n");
      assert.doesNotMatch(run.stderr, /^\s+at /m);
    });
  });

  describe('generateRequest on real models, answered by onnxruntime in-process', () => {
    const identity = { name: 'm', version: '1' };

    async function generatedAndAnswered(file: string) {
      const request = generateRequest(await inspectModel(file));
      const [answer] = await inferLocally(file, identity, [request]);
      assert.ok('response' in answer, `onnxruntime refused the generated request: ${'error' in answer ? answer.error : ''}`);
      return { request, response: answer.response };
    }

    it('symbolic dimensions become 1', async () => {
      const { request, response } = await generatedAndAnswered(path.join(FIXTURE_MODELS, 'symbolic-dims.onnx'));
      assert.deepEqual(request.inputs.map((i) => [i.name, i.datatype, i.shape]), [['x', 'FP32', [1, 1]]]);
      assert.deepEqual(response.outputs[0].shape, [1, 1]);
    });

    it('an int64 scalar gets shape [] and one value, beside a float input', async () => {
      const { request } = await generatedAndAnswered(path.join(FIXTURE_MODELS, 'int64-scalar.onnx'));
      assert.deepEqual(request.inputs, [
        { name: 'x', shape: [1, 3], datatype: 'FP32', data: [0, 0.1, 0.2] },
        { name: 'k', shape: [], datatype: 'INT64', data: [0] },
      ]);
    });

    it('every datatype, BYTES included, makes a request the model takes', async () => {
      const { request } = await generatedAndAnswered(path.join(FIXTURE_MODELS, 'all-types.onnx'));
      const byName = Object.fromEntries(request.inputs.map((i) => [i.name, i]));
      assert.deepEqual(byName.x_string, { name: 'x_string', shape: [1, 2], datatype: 'BYTES', data: ['', ''] });
      assert.deepEqual(byName.x_bool.data, [false, false]);
      assert.equal(byName.x_float16.datatype, 'FP16');
      assert.equal(byName.x_uint64.datatype, 'UINT64');
      assert.ok(request.inputs.every((i) => JSON.stringify(i.shape) === '[1,2]'));
    });

    it('fixed dimensions are kept: MNIST gets one 1x1x28x28 image', async () => {
      const { request, response } = await generatedAndAnswered(path.join(SHARED_DATA, 'mnist', 'mnist-8.onnx'));
      assert.deepEqual(request.inputs[0].shape, [1, 1, 28, 28]);
      assert.equal(request.inputs[0].data.length, 784);
      assert.deepEqual(response.outputs[0].shape, [1, 10]);
    });
  });
});
