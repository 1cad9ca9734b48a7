import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_MODEL_THREADS } from '../core/oip/modelHost';
import { CONTAINER_PORT as DEFAULT_PORT, type RuntimeMetadata } from '../core/packaging/runtimeMetadata';
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT_MS } from './clientLimits';
import type { StartOptions } from './startServer';

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Most rows in one batched run unless MODELDEPLOY_MAX_BATCH or the image's metadata says otherwise. */
export const DEFAULT_MAX_BATCH_ROWS = 64;

/**
 * How long after ready the server asks for SCHED_BATCH: `chrt` starts as a fork of the server, which
 * holds the server's thread for about 10 ms, and it must not be the first probes' answers that wait.
 */
export const BATCH_SCHEDULING_DELAY_MS = 1000;
// More threads than any machine it runs on has cores: a typo, not a setting.
const MAX_MODEL_THREADS = 256;

export interface RuntimeSettings extends StartOptions {
  /** Whether the process asks for SCHED_BATCH after ready (see useBatchScheduling); only when it batches. */
  batchScheduling: boolean;
}

/**
 * The server's settings: the metadata file (MODELDEPLOY_METADATA) first, then environment variables over
 * it. Throws a one-line Error naming the variable or file at fault.
 */
export function runtimeConfig(env: NodeJS.ProcessEnv): RuntimeSettings {
  const metadataFile = env.MODELDEPLOY_METADATA;
  let metadata: RuntimeMetadata = {};
  if (metadataFile) {
    try {
      metadata = JSON.parse(fs.readFileSync(metadataFile, 'utf8')) as RuntimeMetadata;
    } catch (error) {
      throw new Error(`MODELDEPLOY_METADATA=${metadataFile}: ${(error as Error).message}`);
    }
  }
  const modelFile = env.MODELDEPLOY_MODEL ?? (metadata.model && metadataFile ? path.resolve(path.dirname(metadataFile), metadata.model) : undefined);
  if (!modelFile) throw new Error('no model: set MODELDEPLOY_MODEL to an .onnx file, or MODELDEPLOY_METADATA to a metadata file naming one');
  const number = (name: string, value: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER) => {
    if (value === undefined || value === '') return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0 || parsed > max) throw new Error(`${name}=${value} is not a whole number from 0 to ${max}`);
    return parsed;
  };
  const batching = (env.MODELDEPLOY_BATCHING ?? String(metadata.batching?.enabled ?? true)) === 'false'
    ? undefined
    : {
        windowMs: number('MODELDEPLOY_BATCH_WINDOW_MS', env.MODELDEPLOY_BATCH_WINDOW_MS, metadata.batching?.windowMs ?? 0, 1000),
        maxRows: Math.max(1, number('MODELDEPLOY_MAX_BATCH', env.MODELDEPLOY_MAX_BATCH, metadata.batching?.maxRows ?? DEFAULT_MAX_BATCH_ROWS)),
      };
  const batchScheduling = env.MODELDEPLOY_BATCH_SCHEDULING ?? 'true';
  if (batchScheduling !== 'true' && batchScheduling !== 'false') throw new Error(`MODELDEPLOY_BATCH_SCHEDULING=${batchScheduling} is not true or false`);
  return {
    modelFile,
    identity: {
      name: env.MODELDEPLOY_NAME ?? metadata.name ?? path.basename(modelFile, '.onnx'),
      version: env.MODELDEPLOY_VERSION ?? metadata.version ?? '1',
      labels: metadata.labels,
    },
    port: number('MODELDEPLOY_PORT', env.MODELDEPLOY_PORT, metadata.port ?? DEFAULT_PORT, 65535),
    host: env.MODELDEPLOY_HOST ?? '0.0.0.0',
    maxBodyBytes: number('MODELDEPLOY_MAX_BODY_BYTES', env.MODELDEPLOY_MAX_BODY_BYTES, metadata.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
    requestTimeoutMs: Math.max(1, number('MODELDEPLOY_REQUEST_TIMEOUT_MS', env.MODELDEPLOY_REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, 3_600_000)),
    maxConnections: Math.max(1, number('MODELDEPLOY_MAX_CONNECTIONS', env.MODELDEPLOY_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS, 1_000_000)),
    threads: number('MODELDEPLOY_THREADS', env.MODELDEPLOY_THREADS, DEFAULT_MODEL_THREADS, MAX_MODEL_THREADS),
    // On by default: it only ever applies to models whose batch dimension is free.
    batching,
    batchScheduling: batching !== undefined && batchScheduling === 'true',
    inputProfile: metadata.inputProfile,
  };
}
