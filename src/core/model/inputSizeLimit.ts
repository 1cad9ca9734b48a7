import { UserError } from '../errors';
import type { TensorInfo } from './modelInfo';

/**
 * The most one input may take at its fixed dimensions (a symbolic one counted as 1): a gibibyte, the
 * memory limit of the local container (RUN_LIMITS), so a larger input could never be served there, and
 * validation holds several such arrays at once. Checked before anything is allocated, it turns an
 * out-of-memory crash (or minutes of swapping) into a message.
 */
export const MAX_INPUT_BYTES = 2 ** 30;

// Strings, held as references, and types onnxruntime does not name count as 8 bytes an element.
const ELEMENT_BYTES: Record<string, number> = { float64: 8, int64: 8, uint64: 8, string: 8, float32: 4, int32: 4, uint32: 4, float16: 2, int16: 2, uint16: 2, int8: 1, uint8: 1, bool: 1 };

/** Refuses, before anything is allocated, an input whose fixed shape is beyond MAX_INPUT_BYTES. */
export function checkInputSizes(file: string, inputs: TensorInfo[]): void {
  for (const input of inputs.filter((i) => i.isTensor)) {
    const elements = input.shape.reduce<number>((product, d) => product * (typeof d === 'number' ? d : 1), 1);
    const bytes = elements * (ELEMENT_BYTES[input.type] ?? 8);
    if (bytes > MAX_INPUT_BYTES) {
      throw new UserError(
        `input "${input.name}" has the fixed shape [${input.shape.join(', ')}] (${input.type}): ${formatBytes(bytes)} for one run, beyond the ${formatBytes(MAX_INPUT_BYTES)} limit`,
        { file, field: `graph.input["${input.name}"]` },
        'export the model with a symbolic batch dimension (dynamic_axes in torch.onnx.export) or a smaller fixed shape',
      );
    }
  }
}

function formatBytes(bytes: number): string {
  const gib = bytes / 2 ** 30;
  return gib >= 1024 ? `${(gib / 1024).toPrecision(3)} TiB` : `${gib.toPrecision(3)} GiB`;
}
