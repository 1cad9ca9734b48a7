import * as fs from 'node:fs';
import { UserError } from '../errors';
import { elementCount } from '../model/elementCount';
import type { ModelInfo } from '../model/modelInfo';
import { oipDatatypeOf } from '../oip/oipDatatypes';
import type { OipInferenceRequest } from '../oip/oipTypes';

/**
 * Line and column of a JSON.parse failure, from the offset its message gives. Some messages give none
 * ("Unexpected token ']', ... is not valid JSON"): then the offset is the first character after which no
 * prefix of the text parses, found by parsing prefixes (a prefix before the mistake only lacks its end).
 */
export function jsonErrorPosition(text: string, error: unknown): { line: number; column: number } | undefined {
  const given = /position (\d+)/.exec(String((error as Error)?.message))?.[1];
  const offset = given !== undefined ? Number(given) : firstBadOffset(text);
  if (offset === undefined) return undefined;
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function firstBadOffset(text: string): number | undefined {
  const onlyUnfinished = (length: number) => {
    try {
      JSON.parse(text.slice(0, length));
      return true;
    } catch (error) {
      const message = (error as Error).message;
      const at = /position (\d+)/.exec(message)?.[1];
      return /end of JSON input/.test(message) || (at !== undefined && Number(at) >= length);
    }
  };
  if (onlyUnfinished(text.length)) return text.length; // cut short: the mistake is at the end
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const mid = (good + bad) >> 1;
    if (onlyUnfinished(mid)) good = mid;
    else bad = mid;
  }
  return bad - 1;
}

/** JSON.parse's message without the copy of the text some carry (it can span lines) or the offset (the location says it). */
function jsonErrorMessage(error: unknown): string {
  return String((error as Error)?.message)
    .replace(/, (\.\.\.)?"[\s\S]*" is not valid JSON$/, '')
    .replace(/ in JSON at position \d+$/, '');
}

/** Parses one request's JSON; a UserError pointing at the file (and line) when it is not a request. */
export function parseRequest(text: string, file: string, lineOffset = 0): OipInferenceRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const at = jsonErrorPosition(text, error);
    throw new UserError(`not valid JSON: ${jsonErrorMessage(error)}`, { file, ...(at ? { line: at.line + lineOffset, column: at.column } : lineOffset ? { line: lineOffset + 1 } : {}) });
  }
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { inputs?: unknown }).inputs)) {
    throw new UserError('not an inference request: it needs an "inputs" list', { file, ...(lineOffset ? { line: lineOffset + 1 } : {}) }, 'write {"inputs": [{"name": ..., "shape": [...], "datatype": "FP32", "data": [...]}]}');
  }
  return value as OipInferenceRequest;
}

export function readRequestFile(file: string): OipInferenceRequest {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read the request file: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message}`, { file });
  }
  return parseRequest(text, file);
}

/**
 * A request made from the model's inputs alone: one row where a dimension is free or symbolic. Floats
 * get a repeating 0, 0.1, ..., 0.9 so that the parity check compares real arithmetic, not zeros;
 * integers, booleans and strings get zero, false and "" (integers may be indices, which any other
 * value could put out of range).
 */
export function generateRequest(info: Pick<ModelInfo, 'inputs' | 'file'>): OipInferenceRequest {
  return {
    inputs: info.inputs.map((input) => {
      const datatype = input.isTensor ? oipDatatypeOf(input.type) : undefined;
      if (!datatype) throw new UserError(`cannot make a request for input "${input.name}" (${input.type})`, { file: info.file }, 'write a request file and name it in "sample" in modeldeploy.yaml');
      const shape = input.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : 1));
      const size = elementCount(shape);
      const value = (i: number) => (datatype.startsWith('FP') ? (i % 10) / 10 : datatype === 'BYTES' ? '' : datatype === 'BOOL' ? false : 0);
      return { name: input.name, shape, datatype, data: Array.from({ length: size }, (_, i) => value(i)) };
    }),
  };
}
