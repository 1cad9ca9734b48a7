import { decodeBinaryResponse, INFERENCE_HEADER_CONTENT_LENGTH } from '../core/oip/binaryTensors';
import { isOipDatatype } from '../core/oip/oipDatatypes';
import type { OipDatatype } from '../core/oip/oipTypes';

export const SHADOW_TASKS = ['classification', 'regression', 'raw'] as const;

/** What the shadow's answers are compared on. */
export interface ShadowCompare {
  /** The output compared; unset: every numeric output both answers have. */
  output?: string;
  /** classification: predicted classes as well as scores; regression, raw: scores only. Unset: classes when `output` is named. */
  task?: (typeof SHADOW_TASKS)[number];
}

/** A `compare` as a client sends it, every field optional (null as good as absent); an Error naming the field that is wrong. */
export function parseShadowCompare(compare: unknown): ShadowCompare {
  if (compare === undefined || compare === null) return {};
  if (typeof compare !== 'object' || Array.isArray(compare)) throw new Error(`"compare" must be an object such as {"output": "probabilities", "task": "classification"}, not ${JSON.stringify(compare)}`);
  const { output, task, ...others } = compare as Record<string, unknown>;
  const unknown = Object.keys(others)[0];
  if (unknown !== undefined) throw new Error(`"compare" has no field ${JSON.stringify(unknown)}: it takes "output" and "task"`);
  if (output !== undefined && output !== null && (typeof output !== 'string' || output === '')) throw new Error(`"compare.output" must be the name of an output (a non-empty string), not ${JSON.stringify(output)}`);
  if (task !== undefined && task !== null && !(SHADOW_TASKS as readonly unknown[]).includes(task)) throw new Error(`"compare.task" must be "classification", "regression" or "raw", not ${JSON.stringify(task)}`);
  return { ...(typeof output === 'string' ? { output } : {}), ...(typeof task === 'string' ? { task: task as ShadowCompare['task'] } : {}) };
}

/** One version's answer to a request: header names in lower case, as node gives them. */
export interface ShadowAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

/** How two answers compared; `classDiffers` is undefined when no classes were compared (regression, raw). */
export type ShadowComparison =
  | { kind: 'compared'; classDiffers: boolean | undefined; maxAbsDifference: number }
  | { kind: 'incomparable'; reason: string };

/** An output's values, flat and row-major. */
interface Tensor {
  shape: number[];
  datatype: OipDatatype;
  values: (number | string | boolean | bigint)[];
}

const FLOAT_DATATYPES = new Set<OipDatatype>(['FP16', 'FP32', 'FP64']);
const HEADER_LENGTH = INFERENCE_HEADER_CONTENT_LENGTH.toLowerCase();

/** Why a pair cannot be compared; caught in compareShadowAnswers, like any error of a body that is not OIP. */
class Incomparable extends Error {}

/**
 * How the shadow's answer to a request differs from the active version's: the largest absolute difference
 * between their scores, element by element, and whether the predicted class differs in any row. Undefined
 * unless both answered 200 (their statuses are counted on their own). Bodies are OIP JSON, or binary framed
 * when the answer has an Inference-Header-Content-Length header. Never throws.
 */
export function compareShadowAnswers(active: ShadowAnswer, shadow: ShadowAnswer, compare: ShadowCompare): ShadowComparison | undefined {
  if (active.status !== 200 || shadow.status !== 200) return undefined;
  try {
    return compareOutputs(outputsOf(active, 'the active version'), outputsOf(shadow, 'the shadow'), compare);
  } catch (error) {
    return { kind: 'incomparable', reason: (error as Error).message };
  }
}

function compareOutputs(active: Map<string, unknown>, shadow: Map<string, unknown>, compare: ShadowCompare): ShadowComparison {
  const names = compare.output !== undefined ? [compare.output] : [...active.keys()].filter((name) => shadow.has(name) && isNumeric(active.get(name)) && isNumeric(shadow.get(name)));
  if (!names.length) throw new Incomparable('the two answers have no numeric output in common');
  const classes = compare.task === 'classification' || (compare.task === undefined && compare.output !== undefined);
  let maxAbsDifference = 0;
  let classDiffers = false;
  for (const name of names) {
    const a = tensorOf(active, name, 'the active version');
    const b = tensorOf(shadow, name, 'the shadow');
    if (a.shape.join() !== b.shape.join()) throw new Incomparable(`output "${name}" has shape [${a.shape}] in the active version's answer but [${b.shape}] in the shadow's`);
    if ((a.datatype === 'BYTES') !== (b.datatype === 'BYTES')) throw new Incomparable(`output "${name}" is ${a.datatype} in the active version's answer but ${b.datatype} in the shadow's`);
    if (a.datatype === 'BYTES' && !classes) throw new Incomparable(`output "${name}" is BYTES: it has no scores to compare`);
    // Labels (BYTES) are classes, not scores: they add no score difference.
    if (a.datatype !== 'BYTES') maxAbsDifference = Math.max(maxAbsDifference, largestDifference(a.values, b.values));
    if (classes && classesDiffer(name, a, b)) classDiffers = true;
  }
  return { kind: 'compared', classDiffers: classes ? classDiffers : undefined, maxAbsDifference };
}

/** The answer's outputs by name, each as it came (checked only when compared). */
function outputsOf(answer: ShadowAnswer, who: string): Map<string, unknown> {
  const headerLength = [answer.headers[HEADER_LENGTH]].flat()[0];
  const response = (headerLength === undefined ? JSON.parse(Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength).toString('utf8')) : decodeBinaryResponse(answer.body, headerLength)) as { outputs?: unknown } | null;
  if (!Array.isArray(response?.outputs)) throw new Incomparable(`${who}'s answer has no "outputs" list`);
  return new Map(response.outputs.map((output: { name?: unknown }) => [String(output?.name), output]));
}

function isNumeric(output: unknown): boolean {
  return (output as { datatype?: unknown }).datatype !== 'BYTES';
}

function tensorOf(outputs: Map<string, unknown>, name: string, who: string): Tensor {
  const output = outputs.get(name) as { shape?: unknown; datatype?: unknown; data?: unknown } | undefined;
  if (!output) throw new Incomparable(`${who}'s answer has no output "${name}"`);
  const { shape, datatype, data } = output;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Incomparable(`${who}'s output "${name}" has no valid shape`);
  if (!isOipDatatype(datatype)) throw new Incomparable(`${who}'s output "${name}" has no valid datatype`);
  if (!Array.isArray(data)) throw new Incomparable(`${who}'s output "${name}" has no "data" list`);
  // The protocol allows nested data as well as flat.
  const values = data.flat(Infinity) as Tensor['values'];
  const count = shape.reduce((a: number, b: number) => a * b, 1);
  if (values.length !== count) throw new Incomparable(`${who}'s output "${name}" has ${values.length} values for its shape [${shape}]`);
  const valueType = datatype === 'BYTES' ? ['string'] : ['number', 'boolean', 'bigint'];
  if (!values.every((v) => valueType.includes(typeof v))) throw new Incomparable(`${who}'s output "${name}" holds a value that is not ${datatype}`);
  return { shape, datatype, values };
}

function largestDifference(a: Tensor['values'], b: Tensor['values']): number {
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, difference(Number(a[i]), Number(b[i])));
  return largest;
}

/** |a - b|, with two NaNs the same and one NaN as far as can be (a NaN would stick to the maximum). */
function difference(a: number, b: number): number {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  const d = Math.abs(a - b);
  return Number.isNaN(d) ? Infinity : d;
}

function classesDiffer(name: string, a: Tensor, b: Tensor): boolean {
  const classesOfA = classesOf(a);
  const classesOfB = classesOf(b);
  if (classesOfA.length !== classesOfB.length) throw new Incomparable(`output "${name}" gives ${classesOfA.length} classes in the active version's answer but ${classesOfB.length} in the shadow's`);
  return classesOfA.some((c, i) => c !== classesOfB[i]);
}

/**
 * The predicted class of each row (the first dimension; a scalar is one row). Integer, BOOL and BYTES
 * values are classes themselves, each element one. Floats: a row of one value is a probability of the
 * positive class (above 0.5: class 1, else 0), a longer row holds a score per class (argmax, the first
 * maximum winning, as numpy's).
 */
function classesOf(tensor: Tensor): (number | string)[] {
  const { values } = tensor;
  if (!FLOAT_DATATYPES.has(tensor.datatype)) return values.map((v) => (typeof v === 'string' ? v : Number(v)));
  const rows = tensor.shape.length ? tensor.shape[0] : 1;
  const width = rows ? values.length / rows : 0;
  if (width === 1) return values.map((v) => (Number(v) > 0.5 ? 1 : 0));
  return Array.from({ length: rows }, (_, row) => argmax(values as number[], row * width, width));
}

function argmax(values: number[], start: number, width: number): number {
  let best = 0;
  for (let i = 1; i < width; i++) if (values[start + i] > values[start + best]) best = i;
  return best;
}
