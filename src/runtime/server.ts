import { PRODUCT_VERSION } from '../core/productVersion';
import { writeAccessLogLine } from './accessLogLine';
import { LineBuffer } from './lineBuffer';
import { log, writeStdout } from './jsonLog';
import { BATCH_SCHEDULING_DELAY_MS, runtimeConfig } from './runtimeConfig';
import { startServer } from './startServer';

/** Milliseconds since the process started, for the start-up figures in the log. */
const sinceStart = () => Math.round(performance.now());

async function main(): Promise<void> {
  // Node's own start and loading this bundle: everything before the first line of main().
  const loadedAtMs = sinceStart();
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
  let config;
  try {
    config = runtimeConfig(process.env);
  } catch (error) {
    log('error', (error as Error).message);
    process.exit(2);
  }
  const accessLog = new LineBuffer(writeStdout);
  let server;
  try {
    server = await startServer({ ...config, accessLog: (method, path, status, ms, bytes) => writeAccessLogLine(accessLog, method, path, status, ms, bytes), serverVersion: PRODUCT_VERSION });
  } catch (error) {
    // A taken port or an address that is not this machine's: one log line saying which, not a stack.
    log('error', `cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`);
    process.exit(1);
  }
  // Which features input drift is counted for; none when the image was built without validation.
  const driftFeatures = config.inputProfile?.features.map((f) => f.name) ?? [];
  log('info', 'listening', { url: server.url, model: config.identity.name, version: config.identity.version, threads: config.threads, driftFeatures, startMs: { loaded: loadedAtMs, listening: sinceStart() } });
  server.ready.then(
    ({ loadMs, warmUpMs }) => {
      log('info', 'ready', { model: config.identity.name, startMs: { ready: sinceStart(), modelLoad: Math.round(loadMs), warmUp: Math.round(warmUpMs) } });
      // A while after ready, so that starting `chrt` never delays the first answers, and loaded only
      // then: loading child_process is about a millisecond of every start.
      if (config.batchScheduling) {
        setTimeout(() => {
          void import('./batchScheduling').then(({ useBatchScheduling }) => useBatchScheduling((reason) => log('info', `the server keeps the default scheduling policy: ${reason}`)));
        }, BATCH_SCHEDULING_DELAY_MS).unref();
      }
    },
    (error: Error) => {
      log('error', `the model cannot be served: ${error.message}`);
      process.exit(1);
    },
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', 'stopping: finishing the requests in flight', { signal });
    void server.close().then(() => {
      accessLog.flush();
      log('info', 'stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
