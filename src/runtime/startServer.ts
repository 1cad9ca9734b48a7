import { startHttpServer, type ServerOptions } from './httpServer';
import type { InputProfile } from '../core/drift/inputProfile';
import { ModelHost, type ModelIdentity } from '../core/oip/modelHost';
import type { BatchingOptions } from '../core/oip/requestBatcher';

export interface StartOptions extends ServerOptions {
  modelFile: string;
  identity: ModelIdentity;
  /** onnxruntime's intra-op threads for the model (HostOptions.threads). */
  threads?: number;
  /** Dynamic batching where the model allows it; undefined: off. */
  batching?: BatchingOptions;
  /** Reported by GET /v2. */
  serverVersion?: string;
  /** The validated input's bins: live rows are counted into them on /metrics. Undefined: no drift metrics. */
  inputProfile?: InputProfile;
}

export interface ModelServer {
  url: string;
  /** Resolves when the model is loaded and warmed up (ready), with how long each took; rejects when it cannot be. */
  ready: Promise<{ loadMs: number; warmUpMs: number }>;
  close(): Promise<void>;
}

/**
 * Starts answering at once (live, not ready) and loads the model meanwhile, so a probe can tell a
 * server that is loading from one that is down.
 */
export async function startServer(options: StartOptions): Promise<ModelServer> {
  let host: ModelHost | undefined;
  const http = await startHttpServer(options, () => host, options.serverVersion ?? '0');
  const inputBins = options.inputProfile && http.metrics.countInputs(options.inputProfile);
  const ready = ModelHost.load(options.modelFile, options.identity, {
    threads: options.threads,
    batching: options.batching,
    onRun: (rows) => http.metrics.ran(rows),
    onAnswered: inputBins && ((feeds) => inputBins.countFeeds(feeds)),
  }).then((loaded) => {
    host = loaded;
    http.metrics.modelLoaded((loaded.loadMs + loaded.warmUpMs) / 1000);
    return { loadMs: loaded.loadMs, warmUpMs: loaded.warmUpMs };
  });
  ready.catch(() => undefined); // the caller decides what a failed load means
  return {
    url: http.url,
    ready,
    close: async () => {
      await http.close();
      await host?.close();
    },
  };
}
