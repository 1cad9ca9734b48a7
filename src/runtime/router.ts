import { LineBuffer } from './lineBuffer';
import { log, writeStdout } from './jsonLog';
import { routerConfig } from './routerConfig';
import { startRouter } from './routerServer';

async function main(): Promise<void> {
  let config;
  try {
    config = routerConfig(process.env);
  } catch (error) {
    log('error', (error as Error).message);
    process.exit(2);
  }
  const environment = config.environment ?? null;
  const accessLog = new LineBuffer(writeStdout);
  let router;
  try {
    router = await startRouter(config, {
      accessLog: (line) => accessLog.add(line),
      onSwitch: (to, from) => {
        accessLog.flush();
        log('info', 'switched', { environment, upstream: to.url, previous: from?.url ?? null });
      },
      onCanary: (to, from) => {
        accessLog.flush();
        if (to) log('info', 'canary set', { environment, canary: to.upstream.url, weight: to.weight, previous: from?.upstream.url ?? null });
        else log('info', 'canary cleared', { environment, canary: from?.upstream.url ?? null });
      },
      onShadow: (to, from) => {
        accessLog.flush();
        if (to) log('info', 'shadow set', { environment, shadow: to.upstream.url, compare: to.compare, previous: from?.upstream.url ?? null });
        else log('info', 'shadow cleared', { environment, shadow: from?.upstream.url ?? null });
      },
      onRoutesProblem: (message) => {
        accessLog.flush();
        log('error', message, { environment });
      },
    });
  } catch (error) {
    log('error', `the router cannot listen: ${(error as Error).message}`, { environment });
    process.exit(1);
  }
  log('info', 'listening', { environment, url: router.url, adminUrl: router.adminUrl, upstream: router.startedWith ?? null, restored: router.restored });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    accessLog.flush();
    log('info', 'stopping: finishing the requests in flight', { environment, signal });
    void router.close().then(() => {
      accessLog.flush();
      log('info', 'stopped', { environment });
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
