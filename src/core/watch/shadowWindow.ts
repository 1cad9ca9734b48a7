import { shadowFigures, type ShadowFigures } from '../deploy/shadowFigures';
import type { ShadowScrape } from '../deploy/shadowScrape';

/** The scrapes of one shadow within the window; a new shadow starts a new window. */
export class ShadowWindow {
  private upstream: string | undefined;
  private scrapes: ShadowScrape['scrape'][] = [];

  /** Adds a read (undefined: no shadow runs now) and gives the figures over the window's reads of this shadow. */
  add(read: ShadowScrape | undefined, windowMs: number): ShadowFigures | undefined {
    if (!read) {
      this.upstream = undefined;
      return undefined;
    }
    if (read.upstream !== this.upstream) [this.upstream, this.scrapes] = [read.upstream, []];
    this.scrapes = [...this.scrapes.filter((s) => s.at >= read.scrape.at - windowMs), read.scrape];
    return shadowFigures(this.scrapes, read.upstream, read.version);
  }
}
