import { setTimeout as sleep } from 'node:timers/promises';
import { CancelledError } from '../errors';
import type { CanaryAnalysisConfig } from '../project/projectConfig';
import type { MetricScrape } from '../watch/metricScrape';
import type { RouterAdmin } from './routerAdmin';
import { versionFigures, type VersionFigures } from './versionFigures';

/** What the analysis of a canary saw over its window, and its verdict. */
export interface CanaryAnalysis {
  windowSeconds: number;
  canary: VersionFigures & { version: string };
  current: VersionFigures & { version: string };
  limits: CanaryAnalysisConfig;
  /** regression: a limit is exceeded; inconclusive: too little traffic to tell. */
  verdict: 'pass' | 'regression' | 'inconclusive';
  /** The limits exceeded, or why there is no verdict. */
  reasons: string[];
}

/** How often the router is read during the window: a router restart within it is then seen as a counter reset. */
const SCRAPE_EVERY_MS = 5_000;

const percent = (rate: number | null) => (rate === null ? '-' : `${(rate * 100).toFixed(2)} %`);

/** The verdict on a canary's figures against the current version's. */
export function judgeCanary(canary: VersionFigures, current: VersionFigures, limits: CanaryAnalysisConfig): Pick<CanaryAnalysis, 'verdict' | 'reasons'> {
  if (canary.requests < limits.minRequests) {
    return { verdict: 'inconclusive', reasons: [`${canary.requests} inference requests reached the canary in the window; a verdict needs at least ${limits.minRequests}`] };
  }
  if (!current.requests) return { verdict: 'inconclusive', reasons: ['no inference request reached the current version in the window, so there is nothing to compare with'] };
  const reasons: string[] = [];
  const increase = canary.errorRate! - current.errorRate!;
  if (increase > limits.maxErrorRateIncrease) {
    reasons.push(`server error rate ${percent(canary.errorRate)} against ${percent(current.errorRate)}: up ${(increase * 100).toFixed(2)} points, more than the ${(limits.maxErrorRateIncrease * 100).toFixed(2)} allowed`);
  }
  if (canary.p95Ms !== null && current.p95Ms) {
    const ratio = canary.p95Ms / current.p95Ms;
    if (ratio > limits.maxP95Ratio) reasons.push(`p95 latency ${canary.p95Ms.toFixed(2)} ms against ${current.p95Ms.toFixed(2)} ms: ${ratio.toFixed(2)} times, more than the ${limits.maxP95Ratio} allowed`);
  }
  return { verdict: reasons.length ? 'regression' : 'pass', reasons };
}

/**
 * Watches the live traffic through the environment's router for the window (its admin /metrics, read
 * every few seconds) and compares the canary's inference requests with the current version's: the share
 * of server errors and the p95 latency. Changes nothing: the caller acts on the verdict.
 */
export async function analyzeCanary(
  admin: RouterAdmin,
  versions: { canary: { url: string; version: string }; current: { url: string; version: string } },
  limits: CanaryAnalysisConfig,
  options: { signal?: AbortSignal; progress?: (message: string) => void } = {},
): Promise<CanaryAnalysis> {
  const window: MetricScrape[] = [await admin.metrics()];
  const end = window[0].at + limits.windowS * 1000;
  options.progress?.(`analyzing the canary ${versions.canary.version} against ${versions.current.version} for ${limits.windowS} s of live traffic`);
  while (Date.now() < end) {
    try {
      await sleep(Math.min(SCRAPE_EVERY_MS, end - Date.now()), undefined, { signal: options.signal });
    } catch {
      throw new CancelledError();
    }
    window.push(await admin.metrics());
    const seen = versionFigures(window, versions.canary.url);
    options.progress?.(`analysis: ${Math.max(0, Math.round((end - Date.now()) / 1000))} s left; the canary has had ${seen.requests} inference requests, ${percent(seen.errorRate)} server errors`);
  }
  const canary = versionFigures(window, versions.canary.url);
  const current = versionFigures(window, versions.current.url);
  return {
    windowSeconds: (window[window.length - 1].at - window[0].at) / 1000,
    canary: { ...canary, version: versions.canary.version },
    current: { ...current, version: versions.current.version },
    limits,
    ...judgeCanary(canary, current, limits),
  };
}
