import type Docker from 'dockerode';
import * as vscode from 'vscode';
import { readShadowScrape } from '../core/deploy/shadowScrape';
import { configuredServiceUrl } from '../core/watch/environmentServiceUrl';
import { formatLiveSummary } from '../core/watch/formatLiveFigures';
import { liveFigures, type LiveFigures } from '../core/watch/liveFigures';
import type { MetricScrape } from '../core/watch/metricScrape';
import { scrapeMetrics } from '../core/watch/scrapeMetrics';
import { ShadowWindow } from '../core/watch/shadowWindow';
import { WATCH_INTERVAL_MS, WATCH_WINDOW_MS } from '../core/watch/watchMetrics';
import type { ProjectConfig } from '../core/project/projectConfig';
import { Disposable } from './disposable';
import type { EnvironmentStore, EnvironmentView } from './environmentStore';
import { log } from './log';
import type { ProjectStore } from './projectStore';

/** How far back the charts go: a point per scrape. */
export const LIVE_HISTORY_MS = 10 * 60_000;
/** A scrape that takes longer than this is a failed one: the next round comes soon anyway. */
const SCRAPE_TIMEOUT_MS = 3_000;

/** One environment's live figures as the views show them. */
export interface LiveSeries {
  /** Where its /metrics is read. */
  url: string;
  /** The figures after each scrape, over the sliding window, oldest first, for the last LIVE_HISTORY_MS. */
  points: LiveFigures[];
  /** Why the last scrape failed; the points before it stay. */
  error?: string;
}

/** The address an environment's live metrics are read at, from what is known of it; undefined when nothing serves. */
export function liveUrlOf(view: EnvironmentView): string | undefined {
  return configuredServiceUrl(view.config) ?? (view.status?.serving ? view.status.url : undefined);
}

const keyOf = (project: Pick<ProjectConfig, 'dir'>, environment: string) => `${project.dir}\n${environment}`;

/**
 * The live figures of every environment that serves (a local one with a version deployed, a registry one
 * with a `url:`), scraped from its /metrics every few seconds, but only while some view holds the store
 * (the tree visible, a chart panel open): nothing is scraped while nobody looks. Views listen to one event,
 * fired after each round.
 */
export class LiveMetricsStore extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private readonly summaryChanged = this.register(new vscode.EventEmitter<void>());
  /**
   * Fired when what the tree and the status bar show of the figures changes (a rate, a p95, an error, a
   * drifting feature), not on every round: a tree re-rendered every few seconds would replace the rows
   * under the user's mouse.
   */
  readonly onDidChangeSummary = this.summaryChanged.event;
  private lastSummary = '';
  private readonly windows = new Map<string, MetricScrape[]>();
  private readonly shadowWindows = new Map<string, ShadowWindow>();
  private readonly series = new Map<string, LiveSeries>();
  private holders = 0;
  private timer?: NodeJS.Timeout;
  private rounds = 0;

  constructor(
    private readonly projects: ProjectStore,
    private readonly environments: EnvironmentStore,
    /** The engine, to read a shadow's comparison from its environment's router. */
    private readonly engine: () => Promise<Docker>,
    private readonly intervalMs = WATCH_INTERVAL_MS,
  ) {
    super();
    this.register({
      dispose: () => {
        this.holders = 0;
        this.stop();
      },
    });
  }

  /** Holds the store while a view is visible (the tree), following its visibility. */
  holdWhileVisible(view: { readonly visible: boolean; readonly onDidChangeVisibility: vscode.Event<unknown> }): vscode.Disposable {
    let held: vscode.Disposable | undefined;
    const follow = () => {
      if (view.visible) held ??= this.hold();
      else {
        held?.dispose();
        held = undefined;
      }
    };
    const listener = view.onDidChangeVisibility(follow);
    follow();
    return new vscode.Disposable(() => {
      listener.dispose();
      held?.dispose();
    });
  }

  /** Keeps the scraping going until the returned disposable is disposed. */
  hold(): vscode.Disposable {
    this.holders++;
    if (this.holders === 1) this.schedule(0);
    let released = false;
    return new vscode.Disposable(() => {
      if (released) return;
      released = true;
      this.holders--;
      if (this.holders > 0) return;
      this.stop();
      // Figures nobody keeps reading would go stale on the views: they are dropped, and read afresh next time.
      this.series.clear();
      this.windows.clear();
      this.shadowWindows.clear();
      this.fireChanges();
    });
  }

  /** Whether the store scrapes now: some view holds it. */
  get scraping(): boolean {
    return this.holders > 0;
  }

  /** How many rounds of scrapes have been made, for tests: it stands still while nothing holds the store. */
  get roundCount(): number {
    return this.rounds;
  }

  /** An environment's live figures, when it serves and is being watched. */
  seriesOf(project: Pick<ProjectConfig, 'dir'>, environment: string): LiveSeries | undefined {
    return this.series.get(keyOf(project, environment));
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.round(), delayMs);
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Scrapes every serving environment of every project once, all at the same time (one that does not
   * answer holds only its own figures back), then schedules the next round if still held.
   */
  private async round(): Promise<void> {
    this.rounds++;
    const served = new Set<string>();
    const scrapes: Promise<void>[] = [];
    for (const entry of this.projects.projects) {
      if (!entry.config) continue;
      const config = entry.config;
      for (const view of await this.environments.environments(config)) {
        const url = liveUrlOf(view);
        if (!url) continue;
        const key = keyOf(config, view.name);
        served.add(key);
        scrapes.push(
          this.scrape(key, url, config.watch.driftThreshold).then(async () => {
            if (view.status?.shadow || this.shadowWindows.has(key)) await this.scrapeShadow(key, config, view);
          }),
        );
      }
    }
    await Promise.all(scrapes);
    // An environment that stopped serving has no live figures.
    for (const key of [...this.series.keys()]) {
      if (served.has(key)) continue;
      this.series.delete(key);
      this.windows.delete(key);
      this.shadowWindows.delete(key);
    }
    this.fireChanges();
    if (this.holders > 0) this.schedule(this.intervalMs);
  }

  private fireChanges(): void {
    this.changed.fire();
    const summary = [...this.series].map(([key, series]) => {
      const latest = series.points.at(-1);
      return `${key}=${series.error ? 'error' : latest ? formatLiveSummary(latest) : ''}`;
    }).join('\n');
    if (summary === this.lastSummary) return;
    this.lastSummary = summary;
    this.summaryChanged.fire();
  }

  /** Adds the comparison of the environment's shadow, read from its router, to the figures just scraped; none once it has ended. */
  private async scrapeShadow(key: string, config: ProjectConfig, view: EnvironmentView): Promise<void> {
    const latest = this.series.get(key)?.points.at(-1);
    let read;
    try {
      read = view.status?.shadow ? await readShadowScrape(this.engine, config, view.config) : undefined;
    } catch (error) {
      // A failed read is not the end of the shadow: its window keeps the reads before, for the next round.
      log.debug(`the shadow of ${view.name}: ${(error as Error).message}`);
      return;
    }
    const window = this.shadowWindows.get(key) ?? new ShadowWindow();
    const figures = window.add(read, WATCH_WINDOW_MS);
    if (figures) this.shadowWindows.set(key, window);
    else this.shadowWindows.delete(key);
    if (latest && figures) latest.shadow = figures;
  }

  private async scrape(key: string, url: string, driftThreshold: number): Promise<void> {
    const series = this.series.get(key);
    const kept: LiveSeries = series?.url === url ? series : { url, points: [] };
    if (kept !== series) this.windows.delete(key);
    this.series.set(key, kept);
    try {
      const scrape = await scrapeMetrics(url, { timeoutMs: SCRAPE_TIMEOUT_MS });
      const window = [...(this.windows.get(key) ?? []).filter((s) => s.at >= scrape.at - WATCH_WINDOW_MS), scrape];
      this.windows.set(key, window);
      const figures = liveFigures(window, driftThreshold);
      kept.points = [...kept.points.filter((p) => Date.parse(p.time) >= scrape.at - LIVE_HISTORY_MS), figures];
      kept.error = undefined;
    } catch (error) {
      kept.error = (error as Error).message;
      log.debug(`live metrics of ${url}: ${kept.error}`);
    }
  }
}
