import * as vscode from 'vscode';
import type { MetricsDiff } from '../core/deploy/diffTypes';
import { CancelledError, UserError } from '../core/errors';
import { isToHostMessage, type DiffViewState, type ToWebviewMessage } from '../webview/diffProtocol';
import { gatesBlock } from '../webview/diffRender';
import { describeMessage } from '../webview/messageGuards';
import { Disposable } from './disposable';
import { log } from './log';
import { openOwnPanel, postKept } from './webviewPanel';

export interface DiffPanelOptions {
  /** The environment asks for an explicit confirmation before every deploy (shown in the view; onDeploy asks). */
  approvalRequired: boolean;
  /** Deploys the candidate through the same gates and approval as the CLI; resolves with a result message, throws on failure. */
  onDeploy: () => Promise<string>;
  /** The same diff as Markdown, for "Copy as Markdown". */
  markdown: () => string;
}

/**
 * The metrics diff in a webview, with Deploy / Cancel / Copy as Markdown. One panel per environment and
 * candidate: showing the same pair again reveals and updates it.
 */
export class DiffPanel extends Disposable {
  static readonly viewType = 'modelDeploy.diff';
  private static readonly open = new Map<string, DiffPanel>();

  /** Opens the diff, or reveals and updates the panel already showing this environment and candidate. */
  static show(extensionUri: vscode.Uri, diff: MetricsDiff, options: DiffPanelOptions): DiffPanel {
    const existing = DiffPanel.open.get(panelKey(diff));
    if (existing) {
      existing.update(diff, options);
      existing.panel.reveal();
      return existing;
    }
    const created = new DiffPanel(extensionUri, diff, options);
    DiffPanel.open.set(created.key, created);
    return created;
  }

  /** The panels open now. */
  static get panels(): readonly DiffPanel[] {
    return [...DiffPanel.open.values()];
  }

  private readonly panel: vscode.WebviewPanel;
  private readonly key: string;
  private readonly disposeEmitter = this.register(new vscode.EventEmitter<void>());
  /** Fires once when the panel closes (Cancel, the user closing it, or dispose()). */
  readonly onDidDispose = this.disposeEmitter.event;
  /** The messages posted to the webview, oldest first (the last few), for tests. */
  readonly posted: ToWebviewMessage[] = [];

  private currentDiff: MetricsDiff;
  private options: DiffPanelOptions;
  private busy = false;
  private busyMessage?: string;
  private lastResult?: { ok: boolean; message: string };
  private deploying?: Promise<void>;
  private closed = false;

  private constructor(extensionUri: vscode.Uri, diff: MetricsDiff, options: DiffPanelOptions) {
    super();
    this.currentDiff = diff;
    this.options = options;
    this.key = panelKey(diff);
    this.panel = this.register(openOwnPanel(extensionUri, { viewType: DiffPanel.viewType, title: panelTitle(diff), name: 'diffView', loading: 'Loading the metrics diff…' }));
    this.register(this.panel.webview.onDidReceiveMessage((message: unknown) => void this.handleMessage(message)));
    this.register(this.panel.onDidDispose(() => this.dispose()));
    log.info(`Metrics diff opened: ${diff.candidate.version} vs ${diff.environment}`);
  }

  /** The webview's HTML, for tests (its policy, nonce and resource URIs). */
  get html(): string {
    return this.panel.webview.html;
  }

  get diff(): MetricsDiff {
    return this.currentDiff;
  }

  get state(): DiffViewState {
    return { busy: this.busy, approvalRequired: this.options.approvalRequired, environment: this.currentDiff.environment };
  }

  get title(): string {
    return this.panel.title;
  }

  get isDisposed(): boolean {
    return this.closed;
  }

  /** Shows a newer diff for the same environment and candidate; a finished deploy's result is cleared. */
  update(diff: MetricsDiff, options: DiffPanelOptions): void {
    this.currentDiff = diff;
    this.options = options;
    this.lastResult = undefined;
    this.replay();
  }

  /**
   * Acts on a message from the webview, which is untrusted: anything but a known message is logged and
   * ignored. The promise settles when the action is done (for a deploy: after the result is posted).
   */
  handleMessage(message: unknown): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (!isToHostMessage(message)) {
      log.warn(`Metrics diff: ignored an unexpected message from the webview: ${describeMessage(message)}`);
      return Promise.resolve();
    }
    switch (message.type) {
      case 'ready':
        this.replay();
        return Promise.resolve();
      case 'deploy':
        return this.deploy();
      case 'cancel':
        log.info(`Metrics diff: cancelled ${this.currentDiff.candidate.version} to ${this.currentDiff.environment}`);
        this.dispose();
        return Promise.resolve();
      case 'copyMarkdown':
        return this.copyMarkdown();
    }
  }

  override dispose(): void {
    if (this.closed) return;
    this.closed = true;
    if (DiffPanel.open.get(this.key) === this) DiffPanel.open.delete(this.key);
    this.disposeEmitter.fire();
    super.dispose();
  }

  /** A (re)loaded webview gets the diff and what happened since. */
  private replay(): void {
    this.post({ type: 'show', diff: this.currentDiff, state: this.state });
    if (this.busy && this.busyMessage) this.post({ type: 'busy', busy: true, message: this.busyMessage });
    if (this.lastResult) this.post({ type: 'result', ...this.lastResult });
  }

  private deploy(): Promise<void> {
    // A second click while deploying waits for the same deploy.
    if (this.deploying) return this.deploying;
    const diff = this.currentDiff;
    const target = `${diff.candidate.version} to ${diff.environment}`;
    if (this.lastResult?.ok) {
      log.info(`Metrics diff: ${target} is already deployed; ignored another deploy`);
      return Promise.resolve();
    }
    // The button is disabled when the gates block, but the webview is not trusted to enforce it.
    if (gatesBlock(diff)) {
      const message = `Not deployed: the quality gates block ${diff.environment}: ${diff.gates.failures.join('; ') || 'a gate failed'}`;
      log.warn(`Metrics diff: ${message}`);
      this.finish(false, message);
      return Promise.resolve();
    }
    this.deploying = this.runDeploy(target).finally(() => (this.deploying = undefined));
    return this.deploying;
  }

  private async runDeploy(target: string): Promise<void> {
    this.busy = true;
    this.busyMessage = `Deploying ${target}…`;
    this.lastResult = undefined;
    this.post({ type: 'busy', busy: true, message: this.busyMessage });
    log.info(`Metrics diff: deploying ${target}`);
    try {
      const message = await this.options.onDeploy();
      log.info(`Metrics diff: ${message}`);
      this.finish(true, message);
    } catch (error) {
      const message = errorMessage(error);
      if (error instanceof CancelledError) log.info(`Metrics diff: deploying ${target} was cancelled`);
      else log.error(`Metrics diff: deploying ${target} failed`, error);
      this.finish(false, message);
    }
  }

  private finish(ok: boolean, message: string): void {
    this.busy = false;
    this.busyMessage = undefined;
    this.lastResult = { ok, message };
    if (this.closed) {
      // Closed while deploying: the result still has to reach the user.
      if (ok) void vscode.window.showInformationMessage(`Model Deploy: ${message}`);
      else void vscode.window.showErrorMessage(`Model Deploy: ${message}`);
      return;
    }
    this.post({ type: 'result', ok, message });
  }

  private async copyMarkdown(): Promise<void> {
    try {
      await vscode.env.clipboard.writeText(this.options.markdown());
      vscode.window.setStatusBarMessage('$(check) Metrics diff copied as Markdown', 3000);
    } catch (error) {
      log.error('Metrics diff: copying as Markdown failed', error);
      void vscode.window.showErrorMessage(`Model Deploy: copying the metrics diff failed: ${errorMessage(error)}`);
    }
  }

  private post(message: ToWebviewMessage): void {
    if (this.closed) return;
    postKept(this.panel, this.posted, message, 'Metrics diff');
  }
}

function panelKey(diff: MetricsDiff): string {
  return JSON.stringify([diff.environment, diff.candidate.image, diff.candidate.version]);
}

function panelTitle(diff: MetricsDiff): string {
  return `Metrics: ${diff.candidate.version} vs ${diff.environment}`;
}

function errorMessage(error: unknown): string {
  if (error instanceof CancelledError) return 'Deploy cancelled.';
  if (error instanceof UserError) return error.format();
  return error instanceof Error ? error.message : String(error);
}
