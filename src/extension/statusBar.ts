import * as vscode from 'vscode';
import type { Config } from './config';
import { Disposable } from './disposable';
import type { EngineState } from './engineState';
import { formatLiveSummary } from '../core/watch/formatLiveFigures';
import type { LiveFigures } from '../core/watch/liveFigures';
import type { EnvironmentStore, EnvironmentView } from './environmentStore';
import type { LiveMetricsStore } from './liveMetricsStore';
import type { ProjectEntry, ProjectStore } from './projectStore';

/**
 * What runs where: `staging 2.0.0 · production 1.0.0`, `–` where nothing is deployed, `?` where it cannot
 * be read, a canary or a shadow beside the current version (`production 2.0.0 + canary 3.0.0 10%`,
 * `production 2.0.0 + shadow 3.0.0`), and the live request rate of an environment that is being watched:
 * `staging 2.0.0 (3.2/s)`.
 */
export function describeEnvironments(views: readonly EnvironmentView[], live: (view: EnvironmentView) => LiveFigures | undefined = () => undefined): string {
  return views
    .map((v) => {
      const rate = live(v)?.requestsPerSecond;
      const { canary, shadow } = v.status ?? {};
      const trial = canary ? ` + canary ${canary.version} ${canary.share}%` : shadow ? ` + shadow ${shadow.version}` : '';
      return `${v.name} ${v.status?.current?.version ?? (v.status ? '–' : '?')}${trial}${rate === null || rate === undefined ? '' : ` (${rate.toFixed(1)}/s)`}`;
    })
    .join(' · ');
}

/** Live figures that want the user's eye: server errors, or an input feature drifting. */
function troubled(figures: LiveFigures | undefined): boolean {
  return Boolean(figures?.errorRate || figures?.drift.some((f) => f.drifting));
}

/**
 * The deploy button: names the active project (the one holding the active editor's file, else the only
 * one), its version, its state and what runs in each environment; a click offers the next steps.
 */
export class StatusBar extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem('modelDeploy.status', vscode.StatusBarAlignment.Left, 50));

  constructor(
    private readonly store: ProjectStore,
    private readonly engine: EngineState,
    private readonly config: Config,
    private readonly environments: EnvironmentStore,
    private readonly live: LiveMetricsStore,
  ) {
    super();
    this.register(live.onDidChangeSummary(() => this.update()));
    this.item.name = 'Model Deploy';
    this.item.command = 'modelDeploy.showActions';
    this.register(store.onDidChange(() => this.update()));
    this.register(engine.onDidChange(() => this.update()));
    this.register(environments.onDidChange(() => this.update()));
    this.register(vscode.window.onDidChangeActiveTextEditor(() => this.update()));
    this.register(config.onDidChange(() => this.update()));
    this.update();
  }

  private lastActiveDir?: string;

  /** The project the user is working on, for commands invoked without a tree item. */
  activeProject(): ProjectEntry | undefined {
    const file = vscode.window.activeTextEditor?.document.uri;
    const fromEditor = file?.scheme === 'file' ? this.store.projectOf(file.fsPath) : undefined;
    const last = this.lastActiveDir ? this.store.find(this.lastActiveDir) : undefined;
    return fromEditor ?? (this.store.projects.length === 1 ? this.store.projects[0] : last);
  }

  /** Makes a project the user picked the active one until an editor says otherwise. */
  remember(entry: ProjectEntry): void {
    this.lastActiveDir = entry.dir;
    this.update();
  }

  private update(): void {
    const entry = this.activeProject();
    if (entry) this.lastActiveDir = entry.dir;
    if (!this.config.showStatusBar || this.store.projects.length === 0) {
      this.item.hide();
      return;
    }
    if (!entry) {
      // Several projects and none chosen yet: the button offers to pick one.
      this.item.text = '$(rocket) Model Deploy';
      this.item.tooltip = `Model Deploy: ${this.store.projects.length} model projects. Click to choose one and see its next steps.`;
      this.item.backgroundColor = undefined;
      this.item.show();
      return;
    }
    const errors = entry.problems.filter((p) => p.severity === 'error').length;
    const environments = this.environmentViews(entry);
    const liveOf = (view: EnvironmentView) => (entry.config ? this.live.seriesOf(entry.config, view.name)?.points.at(-1) : undefined);
    const accuracy = entry.metrics?.metrics.accuracy;
    if (entry.activity) {
      this.item.text = `$(sync~spin) ${entry.name}: ${entry.activity}`;
    } else if (errors) {
      this.item.text = `$(error) ${entry.name}: config errors`;
    } else if (this.runningPort(entry)) {
      this.item.text = `$(vm-running) ${entry.name} ${entry.version ?? ''} · running on :${this.runningPort(entry)}`;
    } else {
      // The candidate's accuracy, then what runs where once known.
      const details = [accuracy !== undefined ? `acc ${accuracy.toFixed(3)}` : '', environments?.length ? describeEnvironments(environments, liveOf) : ''].filter(Boolean);
      const icon = environments?.some((view) => troubled(liveOf(view))) ? '$(warning)' : '$(rocket)';
      this.item.text = `${icon} ${[`${entry.name} ${entry.version ?? ''}`, ...details].join(' · ')}`;
    }
    const lines = [`Model Deploy: ${entry.name} ${entry.version ?? ''} (${entry.dir})${accuracy !== undefined ? `, validation accuracy ${accuracy.toFixed(4)}` : ''}`];
    for (const view of environments ?? []) {
      const current = view.status?.current;
      const latest = liveOf(view);
      const live = latest && formatLiveSummary(latest);
      lines.push(`${view.name}: ${current ? `${current.version}${view.status?.url ? ` at ${view.status.url}` : ''}${live ? `, live: ${live}` : ''}` : view.status ? 'nothing deployed' : (view.error ?? 'unknown')}`);
    }
    lines.push('Click for next steps.');
    this.item.tooltip = lines.join('\n');
    this.item.backgroundColor = errors ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  /** What the project's environments run, as last seen; asking loads them when they are not loaded. */
  private environmentViews(entry: ProjectEntry): readonly EnvironmentView[] | undefined {
    if (!entry.config) return undefined;
    void this.environments.environments(entry.config);
    return this.environments.snapshot(entry.config);
  }

  /**
   * The port of the project's running local container, as last seen. Asking (re)loads it when it is not
   * loaded or has changed (off this thread, the engine connection included); the engine's change event
   * then updates the button.
   */
  private runningPort(entry: ProjectEntry): number | undefined {
    if (!entry.config) return undefined;
    // Asking is cheap once loaded; after a change it reloads, and the change event comes back here.
    void this.engine.resources(entry.config);
    const resources = this.engine.snapshot(entry.config);
    return resources && 'containers' in resources ? resources.containers.find((c) => c.port)?.port : undefined;
  }

  /** For tests and for the command: the text shown now. */
  get text(): string {
    return this.item.text;
  }
}
