import { environmentOf } from '../core/deploy/environments';
import { readShadowScrape } from '../core/deploy/shadowScrape';
import { connectEngine } from '../core/engine/dockerEngine';
import { UserError } from '../core/errors';
import { loadProject } from '../core/project/loadProject';
import { environmentServiceUrl } from '../core/watch/environmentServiceUrl';
import { formatLiveFigures } from '../core/watch/formatLiveFigures';
import type { LiveFigures } from '../core/watch/liveFigures';
import { metricsEndpoint } from '../core/watch/scrapeMetrics';
import { WATCH_INTERVAL_MS, WATCH_WINDOW_MS, watchMetrics } from '../core/watch/watchMetrics';
import type { CliContext } from './cliCommands';

function countOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UserError(`--count ${value} is not a number of reports from 1 up`);
  return Number(value);
}

export const watchCommand = {
  summary: `an environment's live request rate, p50/p95 latency, error rates, requests in flight, input drift (PSI per feature) and a shadow's comparison, every ${WATCH_INTERVAL_MS / 1000} s over the last ${WATCH_WINDOW_MS / 1000} s, until Ctrl+C (--env; --count N to stop after N reports)`,
  async run(ctx: CliContext) {
    const count = countOption(ctx.count);
    const project = loadProject(ctx.projectDir);
    const url = await environmentServiceUrl(project, ctx.env, () => connectEngine());
    if (!ctx.json) process.stderr.write(`watching ${ctx.env} at ${metricsEndpoint(url)}\n`);
    const report = (figures: LiveFigures) => process.stdout.write(`${ctx.json ? JSON.stringify({ environment: ctx.env, url, ...figures }) : formatLiveFigures(figures)}\n`);
    const environment = environmentOf(project, ctx.env);
    const shadow = () => readShadowScrape(() => connectEngine(), project, environment);
    await watchMetrics(url, { count, signal: ctx.signal, onFigures: report, driftThreshold: project.watch.driftThreshold, shadow });
    return 0;
  },
};
