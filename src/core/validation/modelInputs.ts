import type { Tensor } from 'onnxruntime-node';
import { onnxRuntime } from '../model/onnxRuntime';
import { zeroTensorData } from '../model/zeroTensorData';
import type { DataBatch } from './dataReader';
import type { InputPlan } from './inputPlan';

/** Rows per run(): the model's fixed batch, or the whole batch where the batch dimension is free. */
export function rowsPerRun(plan: InputPlan, batch: DataBatch): number {
  return plan.batchFixed ? plan.batchSize : batch.count;
}

/**
 * Cuts a data batch, from row `from` to row `to`, into model inputs: the whole batch where the batch
 * dimension is free, else pieces of the model's fixed batch size, the last one padded with zeros (its
 * padded outputs are ignored). Each piece is copied into the scratch's reused array of the input's
 * element type.
 */
export function* modelInputs(plan: InputPlan, batch: DataBatch, scratch: InputScratch, from = 0, to = batch.count): Generator<{ tensor: Tensor; offset: number; count: number }> {
  const ort = onnxRuntime();
  const width = plan.rowSize;
  const step = rowsPerRun(plan, batch);
  for (let offset = from; offset < to; offset += step) {
    const count = Math.min(step, to - offset);
    const values = scratch.fill(batch.features.subarray(offset * width, (offset + count) * width), step * width);
    yield { tensor: new ort.Tensor(plan.elementType, values, [step, ...plan.rowShape]), offset, count };
  }
}

export type InputArray = Float32Array | Float64Array | Int32Array | BigInt64Array;

/**
 * One reused array of the input's element type, grown when needed: each input is run before the next is
 * filled.
 */
export class InputScratch {
  private array?: InputArray;

  constructor(private readonly type: InputPlan['elementType']) {}

  /** The values converted to the element type and zero-padded to `size`, in the reused array. */
  fill(values: Float64Array, size: number): InputArray {
    let array = this.array;
    if (!array || array.length < size) array = this.array = this.allocate(size);
    const target = array.length === size ? array : array.subarray(0, size);
    if (target instanceof BigInt64Array) {
      for (let i = 0; i < values.length; i++) target[i] = BigInt(Math.round(values[i]));
      target.fill(0n, values.length);
    } else if (target instanceof Int32Array) {
      for (let i = 0; i < values.length; i++) target[i] = Math.round(values[i]);
      target.fill(0, values.length);
    } else {
      target.set(values);
      target.fill(0, values.length);
    }
    return target;
  }

  private allocate(size: number): InputArray {
    return zeroTensorData(this.type, size) as InputArray;
  }
}
