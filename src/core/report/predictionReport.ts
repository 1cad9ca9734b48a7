import type { OipResponseOutput } from '../oip/oipTypes';
import type { BatchResult, PredictResult } from '../predict/predict';

function preview(output: OipResponseOutput, max = 12): string {
  const shown = output.data.slice(0, max).map((v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v));
  return `[${shown.join(', ')}${output.data.length > max ? `, ... (${output.data.length} values)` : ''}]`;
}

/** The text a test prediction shows: each output, its class names, the latency and the parity check. */
export function formatPrediction(result: PredictResult): string {
  const lines = [`answer from ${result.url} in ${result.latencyMs.toFixed(1)} ms`];
  for (const output of result.response.outputs) {
    lines.push(`${output.name}  ${output.datatype} [${output.shape.join(', ')}]  ${preview(output)}`);
    const names = output.parameters?.class_names;
    if (Array.isArray(names)) lines.push(`  classes: ${names.join(', ')}`);
  }
  const { parity } = result;
  lines.push(`parity with in-process onnxruntime: max |difference| ${parity.maxAbsDiff} (${parity.ok ? 'ok' : 'FAILED'}, tolerance ${parity.tolerance})`);
  return lines.join('\n');
}

export function formatBatchResult(result: BatchResult): string {
  const { latencyMs: l } = result;
  return [
    `${result.requests - result.failed} of ${result.requests} requests answered; results in ${result.outFile}`,
    `latency p50 ${l.p50.toFixed(1)} ms, p95 ${l.p95.toFixed(1)} ms, max ${l.max.toFixed(1)} ms`,
    `parity with in-process onnxruntime: max |difference| ${result.parity.maxAbsDiff} (${result.parity.ok ? 'ok' : 'FAILED'})`,
    ...result.errors.map((e) => `line ${e.line}: ${e.error}`),
  ].join('\n');
}
