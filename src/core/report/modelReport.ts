import type { ModelInfo, TensorInfo } from '../model/modelInfo';
import { formatBytes, textTable } from './textTable';

export function formatShape(shape: TensorInfo['shape']): string {
  return `[${shape.join(', ')}]`;
}

export function formatSignature(tensor: TensorInfo): string {
  return tensor.isTensor ? `${tensor.type} ${formatShape(tensor.shape)}` : tensor.type;
}

/** The text `modeldeploy inspect` prints. */
export function formatModelInfo(info: ModelInfo): string {
  const producer = [info.producer.name, info.producer.version].filter(Boolean).join(' ') || 'unknown';
  const opsets = info.opsets.map((o) => `${o.domain} ${o.version}`).join(', ');
  const io = [['', 'name', 'type', 'shape'], ...info.inputs.map((t) => row('input', t)), ...info.outputs.map((t) => row('output', t))];
  const lines = [
    `model     ${info.file}`,
    `size      ${formatBytes(info.sizeBytes)} (${info.sizeBytes} bytes)`,
    `sha256    ${info.sha256}`,
    `producer  ${producer}`,
    `ir        ${info.irVersion}; opsets ${opsets}`,
    `batch     ${info.batch.kind === 'fixed' ? `fixed at ${info.batch.size}` : info.batch.kind}`,
    '',
    textTable(io),
  ];
  if (info.notes.length) lines.push('', ...info.notes.map((n) => `note: ${n}`));
  return lines.join('\n');
}

function row(kind: string, t: TensorInfo): string[] {
  return [kind, t.name, t.type, t.isTensor ? formatShape(t.shape) : '-'];
}
