import type { OipInferenceResponse } from '../oip/oipTypes';

/** Largest difference allowed between the served answer and in-process onnxruntime's. */
export const PARITY_TOLERANCE = 1e-5;

export interface ParityResult {
  /** Over every output element; Infinity when an output is missing or differs in shape or kind. */
  maxAbsDiff: number;
  outputs: { name: string; maxAbsDiff: number }[];
  tolerance: number;
  ok: boolean;
}

function difference(a: unknown, b: unknown): number {
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    const x = Number(a);
    const y = Number(b);
    if (Number.isNaN(x) && Number.isNaN(y)) return 0;
    return x === y ? 0 : Math.abs(x - y); // equal infinities give 0, not NaN
  }
  return a === b ? 0 : Infinity;
}

/** Compares a served response with in-process inference, output by output. */
export function compareResponses(served: OipInferenceResponse, local: OipInferenceResponse): ParityResult {
  const outputs = local.outputs.map((expected) => {
    const actual = served.outputs?.find((o) => o.name === expected.name);
    if (!actual || JSON.stringify(actual.shape) !== JSON.stringify(expected.shape) || actual.data?.length !== expected.data.length) return { name: expected.name, maxAbsDiff: Infinity };
    let max = 0;
    for (let i = 0; i < expected.data.length; i++) max = Math.max(max, difference(actual.data[i], expected.data[i]));
    return { name: expected.name, maxAbsDiff: Number.isNaN(max) ? Infinity : max };
  });
  const maxAbsDiff = outputs.reduce((m, o) => Math.max(m, o.maxAbsDiff), 0);
  return { maxAbsDiff, outputs, tolerance: PARITY_TOLERANCE, ok: maxAbsDiff <= PARITY_TOLERANCE };
}
