import * as vscode from 'vscode';
import type { ProjectConfig } from '../core/project/projectConfig';
import { isToHostMessage, type ToWebviewMessage } from '../webview/liveMetricsProtocol';
import { describeMessage } from '../webview/messageGuards';
import { Disposable } from './disposable';
import { LIVE_HISTORY_MS, type LiveMetricsStore } from './liveMetricsStore';
import { log } from './log';
import { openOwnPanel, postKept } from './webviewPanel';

type Project = Pick<ProjectConfig, 'name' | 'dir'>;

/**
 * An environment's live figures as charts over the last minutes, in a webview. One panel per project and
 * environment: showing it again reveals it. While it is visible it holds the store, so the environment is
 * scraped even with the tree hidden.
 */
export class LiveMetricsPanel extends Disposable {
  static readonly viewType = 'modelDeploy.liveMetrics';
  private static readonly open = new Map<string, LiveMetricsPanel>();

  /** Opens the charts of an environment, or reveals the panel already showing them. */
  static show(extensionUri: vscode.Uri, live: LiveMetricsStore, project: Project, environment: string): LiveMetricsPanel {
    const existing = LiveMetricsPanel.open.get(panelKey(project, environment));
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const created = new LiveMetricsPanel(extensionUri, live, project, environment);
    LiveMetricsPanel.open.set(created.key, created);
    return created;
  }

  /** The panels open now. */
  static get panels(): readonly LiveMetricsPanel[] {
    return [...LiveMetricsPanel.open.values()];
  }

  private readonly panel: vscode.WebviewPanel;
  private readonly key: string;
  /** The messages posted to the webview, oldest first (the last few), for tests. */
  readonly posted: ToWebviewMessage[] = [];
  /** The webview has said it is ready: before that, nobody listens to what is posted. */
  private loaded = false;
  private closed = false;

  private constructor(
    extensionUri: vscode.Uri,
    private readonly live: LiveMetricsStore,
    private readonly project: Project,
    readonly environment: string,
  ) {
    super();
    this.key = panelKey(project, environment);
    const title = `Live: ${environment} (${project.name})`;
    this.panel = this.register(openOwnPanel(extensionUri, { viewType: LiveMetricsPanel.viewType, title, name: 'liveMetricsView', loading: 'Loading the live metrics…' }));
    this.register(this.panel.webview.onDidReceiveMessage((message: unknown) => this.handleMessage(message)));
    this.register(live.onDidChange(() => this.postSeries()));
    // Hidden behind another editor, it stops holding the store: nothing is scraped for a chart nobody sees.
    const panel = this.panel;
    this.register(live.holdWhileVisible({ get visible() { return panel.visible; }, onDidChangeVisibility: panel.onDidChangeViewState }));
    this.register(this.panel.onDidDispose(() => this.dispose()));
    log.info(`Live metrics opened: ${project.name} ${environment}`);
  }

  get title(): string {
    return this.panel.title;
  }

  get isDisposed(): boolean {
    return this.closed;
  }

  /** Acts on a message from the webview, which is untrusted: anything but `ready` is logged and ignored. */
  handleMessage(message: unknown): void {
    if (this.closed) return;
    if (!isToHostMessage(message)) {
      log.warn(`Live metrics: ignored an unexpected message from the webview: ${describeMessage(message)}`);
      return;
    }
    this.loaded = true;
    this.postSeries();
  }

  override dispose(): void {
    if (this.closed) return;
    this.closed = true;
    if (LiveMetricsPanel.open.get(this.key) === this) LiveMetricsPanel.open.delete(this.key);
    super.dispose();
  }

  private postSeries(): void {
    if (this.closed || !this.loaded) return;
    const series = this.live.seriesOf(this.project, this.environment);
    // A copy: the store updates its series in place after each scrape.
    const message: ToWebviewMessage = { type: 'series', project: this.project.name, environment: this.environment, spanMs: LIVE_HISTORY_MS, series: series && { ...series } };
    postKept(this.panel, this.posted, message, 'Live metrics');
  }
}

function panelKey(project: Project, environment: string): string {
  return JSON.stringify([project.dir, environment]);
}
