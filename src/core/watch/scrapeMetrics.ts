import { UserError } from '../errors';
import { connectionError, sendHttp } from '../registry/registryHttp';
import type { MetricScrape } from './metricScrape';
import { parsePrometheusText } from './parsePrometheusText';
import { SERVICE_METRICS } from './serviceMetrics';

const HINT = 'it should be where a Model Deploy service answers (its /metrics is read): check the address and that the service runs';

/** The /metrics address of a service's base URL (which may have a path, behind a gateway). */
export function metricsEndpoint(serviceUrl: string): string {
  try {
    const base = new URL(serviceUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('not http');
    return new URL('metrics', base.href.endsWith('/') ? base : `${base.href}/`).href;
  } catch {
    throw new UserError(`${serviceUrl} is not an http:// or https:// address`);
  }
}

/**
 * One GET of `<serviceUrl>/metrics` (node:http or node:https, so a service behind TLS works too), parsed.
 * Every way it can fail is a UserError that names the address: nothing answers, no answer in time, an
 * answer that is not 200, not Prometheus text, or not a Model Deploy service's metrics.
 */
export async function scrapeMetrics(serviceUrl: string, options: { timeoutMs?: number } = {}): Promise<MetricScrape> {
  const endpoint = metricsEndpoint(serviceUrl);
  let reply;
  try {
    reply = await sendHttp({ method: 'GET', url: new URL(endpoint), headers: { Accept: 'text/plain' }, timeoutMs: options.timeoutMs ?? 5_000 });
  } catch (error) {
    throw new UserError(`cannot read ${endpoint}: ${connectionError(error).reason}`, undefined, HINT);
  }
  const at = Date.now();
  if (reply.status !== 200) throw new UserError(`${endpoint} answered HTTP ${reply.status}, not metrics`, undefined, HINT);
  let samples;
  try {
    samples = parsePrometheusText(reply.body.toString('utf8'));
  } catch (error) {
    throw new UserError(`${endpoint} did not answer Prometheus text (${(error as Error).message})`, undefined, HINT);
  }
  // The gauge is there from the service's start, whatever it has served: other exporters do not have it.
  if (!samples.some((s) => s.name === SERVICE_METRICS.inFlight)) throw new UserError(`${endpoint} answers Prometheus metrics, but not a Model Deploy service's (it has no ${SERVICE_METRICS.inFlight})`, undefined, HINT);
  return { at, samples };
}
