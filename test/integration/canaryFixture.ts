import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { onnx } from 'onnx-proto';
import { makeMnistProject } from '../support/mnistProject';
import { SHARED_DATA } from '../support/projectFixture';
import { deployProject, parseJson, type DeployProject } from './deployFixture';

/** The canary tests' parts: an MNIST project at two good versions and a degraded one, real digits as requests. */

/** Two versions of the Model Zoo's MNIST model: the same file, so they answer alike, told apart by version. */
export const M1 = { version: '8.0.0', model: 'model/mnist-8.onnx' };
export const M2 = { version: '8.1.0', model: 'model/mnist-8.onnx' };

/** A copy of the shared MNIST project (model and test set) under a unique name, at 8.0.0, nothing built. */
export function mnistProject(prefix: string): DeployProject {
  return deployProject(makeMnistProject(), prefix);
}

export interface Digit {
  label: number;
  /** The Open Inference Protocol request for it: the 784 pixels as they are in the test set, 0 to 255. */
  body: string;
}

/** The first `count` digits of the official MNIST test set, as inference requests. */
export function mnistDigits(count: number): Digit[] {
  const rows = gunzipSync(fs.readFileSync(path.join(SHARED_DATA, 'mnist', 'mnist_test.csv.gz'))).toString('utf8').split('\n', count + 1).slice(1);
  return rows.map((row) => {
    const [label, ...pixels] = row.split(',').map(Number);
    return { label, body: JSON.stringify({ inputs: [{ name: 'Input3', shape: [1, 1, 28, 28], datatype: 'FP32', data: pixels }] }) };
  });
}

/**
 * A degraded version of the MNIST model: the same scores, plus an element of a two-entry table picked by
 * the input's largest value as an integer (0 for inputs below 1, added as 0). Pixels scaled to 0-1, as the
 * validation set and the generated smoke request give them, pass; raw 0-255 pixels, as clients here send
 * them, pick an element past the table's end, and onnxruntime fails the run: the server answers 500. A real
 * fault of a real model in the real runtime, the kind a bad export or a changed preprocessing makes.
 */
export function writeDegradedMnist(source: string, target: string): void {
  const { model, graph, output } = withScoresRenamed(source);
  const input = graph.input![0].name!;
  graph.initializer!.push(onnx.TensorProto.create({ name: 'degraded_table', dataType: onnx.TensorProto.DataType.FLOAT, dims: [2], floatData: [0, 0] }));
  const attribute = (name: string, fields: Partial<onnx.IAttributeProto>) => onnx.AttributeProto.create({ name, ...fields });
  const A = onnx.AttributeProto.AttributeType;
  graph.node!.push(
    onnx.NodeProto.create({ opType: 'ReduceMax', name: 'degraded_max', input: [input], output: ['degraded_max'], attribute: [attribute('keepdims', { type: A.INT, i: 0 })] }),
    onnx.NodeProto.create({ opType: 'Cast', name: 'degraded_index', input: ['degraded_max'], output: ['degraded_index'], attribute: [attribute('to', { type: A.INT, i: onnx.TensorProto.DataType.INT64 })] }),
    onnx.NodeProto.create({ opType: 'Gather', name: 'degraded_pick', input: ['degraded_table', 'degraded_index'], output: ['degraded_zero'] }),
    onnx.NodeProto.create({ opType: 'Add', name: 'degraded_add', input: [`${output}_scores`, 'degraded_zero'], output: [output] }),
  );
  fs.writeFileSync(target, onnx.ModelProto.encode(model).finish());
}

/**
 * A biased version of the MNIST model: `bias` added to class 0's score. It answers every request, but
 * digits whose best score beats class 0's by less than `bias` are now called 0: a model that disagrees
 * with the original on some inputs and not others, as a shadow is meant to find out.
 */
export function writeBiasedMnist(source: string, target: string, bias: number): void {
  const { model, graph, output } = withScoresRenamed(source);
  graph.initializer!.push(onnx.TensorProto.create({ name: 'biased_offset', dataType: onnx.TensorProto.DataType.FLOAT, dims: [1, 10], floatData: [bias, 0, 0, 0, 0, 0, 0, 0, 0, 0] }));
  graph.node!.push(onnx.NodeProto.create({ opType: 'Add', name: 'biased_add', input: [`${output}_scores`, 'biased_offset'], output: [output] }));
  fs.writeFileSync(target, onnx.ModelProto.encode(model).finish());
}

/** The model at `source` with its output's producer writing `<output>_scores` instead, for nodes appended after it. */
function withScoresRenamed(source: string): { model: onnx.ModelProto; graph: onnx.IGraphProto; output: string } {
  const model = onnx.ModelProto.decode(fs.readFileSync(source));
  const graph = model.graph!;
  const output = graph.output![0].name!;
  const producer = graph.node!.find((n) => n.output![0] === output)!;
  producer.output![0] = `${output}_scores`;
  return { model, graph, output };
}

export interface LoadRecord {
  status: number;
  /** X-Model-Deploy-Upstream: the container (host:port) that answered. */
  upstream: string;
  /** model_version of a 200 answer. */
  version?: string;
  /** The predicted class of a 200 answer, and the digit's label. */
  predicted?: number;
  label: number;
}

/** One digit to the environment's URL on `agent`, recorded. */
export function sendDigit(url: string, project: DeployProject, digit: Digit, agent: http.Agent): Promise<LoadRecord> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}/v2/models/${project.name}/infer`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(digit.body) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        const record: LoadRecord = { status: response.statusCode ?? 0, upstream: String(response.headers['x-model-deploy-upstream']), label: digit.label };
        if (record.status === 200) {
          const answer = parseJson<{ model_version: string; outputs: { data: number[] }[] }>(text);
          const scores = answer.outputs[0].data;
          Object.assign(record, { version: answer.model_version, predicted: scores.indexOf(Math.max(...scores)) });
        }
        resolve(record);
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(digit.body);
  });
}

/**
 * Sends the digits through the URL, `parallel` clients at a time on keep-alive connections, until each
 * has been sent `rounds` times (or, with `rounds` undefined, until stopped).
 */
export class DigitLoad {
  readonly records: LoadRecord[] = [];
  private running = true;
  private done: Promise<void> = Promise.resolve();
  private readonly agent: http.Agent;

  constructor(
    private readonly url: string,
    private readonly project: DeployProject,
    private readonly digits: Digit[],
    private readonly parallel: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: parallel });
  }

  /** Sends `count` requests and resolves when all are answered. */
  async send(count: number): Promise<LoadRecord[]> {
    const start = this.records.length;
    let next = 0;
    const loop = async () => {
      while (next < count) {
        const digit = this.digits[next++ % this.digits.length];
        this.records.push(await sendDigit(this.url, this.project, digit, this.agent));
      }
    };
    await Promise.all(Array.from({ length: this.parallel }, loop));
    return this.records.slice(start);
  }

  /** Keeps sending until `stop`. */
  start(): void {
    let next = 0;
    const loop = async () => {
      while (this.running) this.records.push(await sendDigit(this.url, this.project, this.digits[next++ % this.digits.length], this.agent));
    };
    this.done = Promise.all(Array.from({ length: this.parallel }, loop)).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
    this.agent.destroy();
  }
}
