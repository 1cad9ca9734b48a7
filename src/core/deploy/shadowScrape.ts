import type Docker from 'dockerode';
import type { EnvironmentConfig, ProjectConfig } from '../project/projectConfig';
import type { MetricScrape } from '../watch/metricScrape';
import { localEnvironmentState, upstreamOf } from './localEnvironment';

/** One read of the router's metrics while a shadow runs, with the shadow it is about. */
export interface ShadowScrape {
  version: string;
  /** The shadow's `http://host:port`, as the router labels its series. */
  upstream: string;
  scrape: MetricScrape;
}

/**
 * Reads the shadow of a local environment from its router's admin API: undefined when none runs (or the
 * environment is not served by a router here). Asked again at every read, so a shadow started or ended
 * while someone watches is seen.
 */
export async function readShadowScrape(engine: () => Promise<Docker>, project: Pick<ProjectConfig, 'name' | 'dir' | 'version'>, environment: EnvironmentConfig): Promise<ShadowScrape | undefined> {
  // A registry environment runs no trial: the engine is not asked.
  if (environment.registry) return undefined;
  const state = await localEnvironmentState(await engine(), project, environment);
  const admin = state.router?.admin;
  if (!state.shadow || !admin) return undefined;
  return { version: state.shadow.version, upstream: upstreamOf(state.shadow.container), scrape: await admin.metrics() };
}
