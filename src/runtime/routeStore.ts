import * as fs from 'node:fs';
import type { ActiveUpstream } from './activeUpstream';
import { parseShadowCompare } from './shadowComparison';
import { parseUpstreamUrl } from './upstreamUrl';
import { isCanaryWeight } from './weightedSplit';

/** The routes as the file holds them: URLs and ISO times. */
interface SavedRoutes {
  upstream: string;
  since: string;
  canary?: { url: string; weight: number; since: string };
  shadow?: { url: string; since: string; compare: unknown };
}

/**
 * The router's routes (the active upstream, its canary or shadow), written to a file after every change and
 * read back when the router starts. A router that the engine restarts (its restart policy after a crash,
 * a reboot, a daemon restart) then routes where it was last told, not to the version it was created
 * with, which later deploys have removed.
 */
export class RouteStore {
  constructor(readonly file: string) {}

  /**
   * Puts the saved routes into `active`; false when there are none yet. Throws an Error naming the file and
   * what is wrong with it, and then changes nothing.
   */
  restore(active: ActiveUpstream): boolean {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw new Error(`cannot read the saved routes in ${this.file}: ${(error as Error).message}`);
    }
    const routes = this.parse(text);
    active.switchTo(routes.upstream.value, new Date(routes.upstream.since));
    if (routes.canary) active.setCanary(routes.canary.value, routes.canary.weight, routes.canary.since);
    if (routes.shadow) active.setShadow(routes.shadow.value, routes.shadow.compare, routes.shadow.since);
    return true;
  }

  /** Writes what `active` routes to now, whole or not at all: a temporary file renamed over the last one. */
  save(active: ActiveUpstream): void {
    const { upstream, activeSince, canary, shadow } = active;
    if (!upstream || !activeSince) return;
    const routes: SavedRoutes = {
      upstream: upstream.url,
      since: activeSince,
      ...(canary ? { canary: { url: canary.upstream.url, weight: canary.weight, since: canary.since } } : {}),
      ...(shadow ? { shadow: { url: shadow.upstream.url, since: shadow.since, compare: shadow.compare } } : {}),
    };
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(temporary, `${JSON.stringify(routes)}\n`);
      fs.renameSync(temporary, this.file);
    } catch (error) {
      fs.rmSync(temporary, { force: true });
      throw error;
    }
  }

  /** The file's routes, every field checked as the admin API checks it. */
  private parse(text: string) {
    const wrong = (what: string) => new Error(`the saved routes in ${this.file} are not usable: ${what}`);
    let routes: SavedRoutes;
    try {
      routes = JSON.parse(text) as SavedRoutes;
    } catch (error) {
      throw wrong(`not JSON (${(error as Error).message})`);
    }
    if (typeof routes !== 'object' || routes === null) throw wrong('not an object');
    const upstream = (url: unknown, field: string) => {
      try {
        return parseUpstreamUrl(url);
      } catch (error) {
        throw wrong(`${field}: ${(error as Error).message}`);
      }
    };
    const time = (value: unknown, field: string): string => {
      // As the router writes them: Date's ISO form, which reads back to the same text.
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value)) || new Date(value).toISOString() !== value) throw wrong(`${field} is not an ISO time: ${JSON.stringify(value)}`);
      return value;
    };
    const { canary, shadow } = routes;
    if (canary && shadow) throw wrong('it has both a canary and a shadow, which never run together');
    if (canary && !isCanaryWeight(canary.weight)) throw wrong(`canary.weight must be a whole number from 1 to 99, not ${JSON.stringify(canary.weight)}`);
    let compare;
    try {
      compare = shadow && parseShadowCompare(shadow.compare);
    } catch (error) {
      throw wrong(`shadow: ${(error as Error).message}`);
    }
    const parsed = {
      upstream: { value: upstream(routes.upstream, 'upstream'), since: time(routes.since, 'since') },
      canary: canary && { value: upstream(canary.url, 'canary.url'), weight: canary.weight, since: time(canary.since, 'canary.since') },
      shadow: shadow && compare && { value: upstream(shadow.url, 'shadow.url'), compare, since: time(shadow.since, 'shadow.since') },
    };
    const trial = parsed.canary ?? parsed.shadow;
    if (trial?.value.url === parsed.upstream.value.url) throw wrong(`its ${parsed.canary ? 'canary' : 'shadow'} is the active upstream, ${trial.value.url}: a trial must be another version`);
    return parsed;
  }
}
