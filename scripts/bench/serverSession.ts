// What the model-cost references (B, inferenceRate; C, combinedServer) share, so that both do the model
// work the server does, on the same rows.
import { openModelToServe } from '../../src/core/model/inspectModel';
import type { SyncSession } from '../../src/core/model/syncSession';
import { DEFAULT_MODEL_THREADS } from '../../src/core/oip/modelHost';

/** The session the server makes of `model`, with its thread setting, and the fetches of every output. */
export async function serverSession(model: string): Promise<{ session: SyncSession; fetches: Record<string, null> }> {
  const { info, session } = await openModelToServe(model, { intraOpNumThreads: DEFAULT_MODEL_THREADS });
  return { session, fetches: Object.fromEntries(info.outputs.map((output) => [output.name, null])) };
}

/** `rows` ready-made rows of `rowSize` pixel-like values (0 to 255), laid end to end. */
export function readyMadeRows(rows: number, rowSize: number): Float32Array {
  return Float32Array.from({ length: rows * rowSize }, (_, i) => (i * 37) % 256);
}
