import * as path from 'node:path';
import { startServer, type ModelServer, type StartOptions } from '../../src/runtime/startServer';
import { EXAMPLES } from './projectFixture';

export const IRIS = path.join(EXAMPLES, 'iris', 'model', 'iris-v2.onnx');
export const LABELS = ['setosa', 'versicolor', 'virginica'];

export interface ServeOptions {
  version?: string;
  labels?: string[];
  maxBodyBytes?: number;
  /** Dynamic batching with a 20 ms window, up to 64 rows. */
  batching?: boolean;
  /** Any other server option, over the ones above. */
  overrides?: Partial<StartOptions>;
}

/** The model server in this process on a free loopback port, once its model is loaded. */
export async function serve(modelFile: string, name: string, options: ServeOptions = {}): Promise<ModelServer> {
  const server = await startServer({
    modelFile,
    identity: { name, version: options.version ?? '1', labels: options.labels },
    port: 0,
    host: '127.0.0.1',
    maxBodyBytes: options.maxBodyBytes ?? 1 << 20,
    batching: options.batching ? { windowMs: 20, maxRows: 64 } : undefined,
    ...options.overrides,
  });
  await server.ready;
  return server;
}
