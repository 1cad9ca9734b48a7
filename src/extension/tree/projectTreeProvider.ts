import * as vscode from 'vscode';
import type { HistoryView } from '../../core/deploy/history';
import { labelMetrics } from '../../core/deploy/imageIdentity';
import { shortDigest } from '../../core/report/deployReport';
import { formatSignature } from '../../core/report/modelReport';
import { formatBytes } from '../../core/report/textTable';
import { formatLiveFigures, formatLiveSummary } from '../../core/watch/formatLiveFigures';
import { formatMetricValue } from '../../core/report/validationReport';
import { Disposable } from '../disposable';
import type { EngineState } from '../engineState';
import type { EnvironmentStore, EnvironmentView } from '../environmentStore';
import type { LiveMetricsStore, LiveSeries } from '../liveMetricsStore';
import type { ProjectStore } from '../projectStore';
import { contextValueOf, type ProjectNode } from './projectNodes';

/** How long ago, the way a person says it: "just now", "5 min ago", "3 h ago", "2 days ago". */
export function formatAge(date: Date, now = Date.now()): string {
  const minutes = Math.floor((now - date.getTime()) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h ago`;
  return `${Math.floor(minutes / 1440)} days ago`;
}

/**
 * `<version> · <short digest> · <age>`, the URL of a local environment and, while it is watched, its live
 * rate and p95 (and what is wrong: server errors, drifting features); or "nothing deployed".
 */
export function describeEnvironment(view: EnvironmentView, live?: LiveSeries, now = Date.now()): string {
  if (!view.status) return 'unavailable';
  const current = view.status.current;
  if (!current) return 'nothing deployed';
  const since = view.history?.find((h) => h.current)?.time;
  const canary = view.status.canary;
  // With a canary, both versions and their shares of the requests: `2.0.0 90% · canary 3.0.0 10% · ...`;
  // with a shadow, the version that gets the copies: `2.0.0 · shadow 3.0.0 · ...`.
  const parts = [canary ? `${current.version} ${100 - canary.share}%` : current.version, shortDigest(current.digest)];
  if (canary) parts.push(`canary ${canary.version} ${canary.share}%`);
  if (view.status.shadow) parts.push(`shadow ${view.status.shadow.version}`);
  if (since) parts.push(formatAge(new Date(since), now));
  if (view.status.url) parts.push(view.status.url);
  if (view.status.serving === false) parts.push('not serving');
  const latest = live?.points.at(-1);
  const summary = latest && !live?.error ? formatLiveSummary(latest) : undefined;
  if (summary) parts.push(summary);
  return parts.join(' · ');
}

/** The live section of an environment's tooltip: the figures over the last minute, drift per feature. */
function liveTooltip(live: LiveSeries): string[] {
  const latest = live.points.at(-1);
  const lines = [`**Live** (${live.url}/metrics)`];
  if (live.error) lines.push(`$(warning) ${live.error}`);
  if (latest) lines.push(formatLiveFigures(latest));
  return lines;
}

function environmentTooltip(view: EnvironmentView, live?: LiveSeries): vscode.MarkdownString {
  const status = view.status;
  const lines = [`**${view.name}** · ${view.config.registry ? `registry ${view.config.registry}` : 'local Docker engine'}${view.config.approval === 'required' ? ' · approval required' : ''}`];
  if (view.error) lines.push(`$(warning) ${view.error}`);
  if (status?.url) lines.push(`URL: ${status.url}${status.serving === false ? ' (not serving: its router is stopped)' : ''}`);
  const current = status?.current;
  if (current) {
    lines.push(`Runs ${current.version}: \`${current.image}\``, `Digest: \`${current.digest}\``);
    const canary = status?.canary;
    if (canary) lines.push(`Canary ${canary.version} (\`${canary.digest}\`) gets ${canary.share}% of the requests since ${canary.since}: \`modeldeploy promote --env ${view.name} --canary\` gives it all of them, \`modeldeploy rollback --env ${view.name}\` ends it`);
    const shadow = status?.shadow;
    if (shadow) lines.push(`Shadow ${shadow.version} (\`${shadow.digest}\`) gets a copy of each inference request since ${shadow.since}, its answers compared with ${current.version}'s, which alone reach clients: \`modeldeploy promote --env ${view.name} --shadow\` gives it every request, \`modeldeploy rollback --env ${view.name}\` ends it`);
    const metrics = labelMetrics(current.labels);
    if (metrics) lines.push(`Metrics: ${Object.entries(metrics).map(([name, value]) => `${name} ${formatMetricValue(value)}`).join(', ')}`);
  } else if (status) {
    lines.push('Nothing deployed yet.');
  }
  if (view.historyError) lines.push(`History: ${view.historyError}`);
  if (live) lines.push(...liveTooltip(live));
  return new vscode.MarkdownString(lines.join('\n\n'), true);
}

function historyTooltip(item: HistoryView): vscode.MarkdownString {
  const lines = [`**${item.version}** · ${item.action}${item.current ? ' · runs now' : ''}`, `${item.time}${item.who ? ` by ${item.who}` : ''}`, `Digest: \`${item.digest}\``, `Image: \`${item.image}\``];
  if (item.from) lines.push(`${item.action === 'promote' ? 'From' : 'Replaced'}: ${item.from}`);
  if (item.metrics) lines.push(`Metrics: ${Object.entries(item.metrics).map(([name, value]) => `${name} ${formatMetricValue(value)}`).join(', ')}`);
  const gates = item.gates?.filter((g) => g.verdict !== 'skip');
  if (gates?.length) lines.push(`Gates: ${gates.map((g) => `${g.verdict} (${g.reason})`).join('; ')}`);
  return new vscode.MarkdownString(lines.join('\n\n'));
}

const HISTORY_ICON: Record<HistoryView['action'], string> = { deploy: 'rocket', promote: 'arrow-circle-up', rollback: 'discard' };

/**
 * Renders the ProjectStore, the EngineState and the EnvironmentStore as the "Projects" tree; refreshes
 * when one says it changed. The engine is asked only when the user opens a project's Images, Containers
 * or Environments (or the status bar needs it).
 */
export class ProjectTreeProvider extends Disposable implements vscode.TreeDataProvider<ProjectNode> {
  private readonly changed = this.register(new vscode.EventEmitter<ProjectNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly store: ProjectStore,
    private readonly engine: EngineState,
    private readonly environments: EnvironmentStore,
    private readonly live: LiveMetricsStore,
  ) {
    super();
    this.register(live.onDidChangeSummary(() => this.changed.fire(undefined)));
    this.register(store.onDidChange(() => this.changed.fire(undefined)));
    this.register(engine.onDidChange(() => this.changed.fire(undefined)));
    this.register(environments.onDidChange(() => this.changed.fire(undefined)));
  }

  async getChildren(node?: ProjectNode): Promise<ProjectNode[]> {
    if (!node) {
      await this.store.ready();
      return this.store.projects.map((entry) => ({ kind: 'project', entry }));
    }
    const entry = node.entry;
    switch (node.kind) {
      case 'project': {
        const problems: ProjectNode[] = entry.problems.filter((p) => p.severity === 'error').map((problem) => ({ kind: 'problem', entry, problem }));
        if (!entry.config) return problems;
        const children: ProjectNode[] = [...problems, { kind: 'model', entry }];
        if (entry.config.task !== 'raw') children.push({ kind: 'metrics', entry });
        children.push({ kind: 'images', entry }, { kind: 'containers', entry }, { kind: 'environments', entry });
        return children;
      }
      case 'environments': {
        if (!entry.config) return [];
        const views = await this.environments.environments(entry.config);
        if (!views.length) return [{ kind: 'message', entry, text: 'no environments in the config', icon: 'info' }];
        const stagingRuns = Boolean(views.find((v) => v.name === 'staging')?.status?.current);
        return views.map((view): ProjectNode => ({ kind: 'environment', entry, environment: view.name, view, promotable: view.name === 'production' && stagingRuns }));
      }
      case 'environment': {
        const { view } = node;
        if (view.error) return [{ kind: 'message', entry, text: view.error, icon: 'warning' }];
        if (view.historyError) return [{ kind: 'message', entry, text: `history: ${view.historyError}`, icon: 'warning' }];
        if (!view.history?.length) return [{ kind: 'message', entry, text: `no deploys yet: Deploy to ${view.name}`, icon: 'info' }];
        return view.history.map((item): ProjectNode => ({ kind: 'history', entry, environment: view.name, item }));
      }
      case 'images':
      case 'containers': {
        if (!entry.config) return [];
        const resources = await this.engine.resources(entry.config);
        if ('error' in resources) return [{ kind: 'message', entry, text: resources.error, icon: 'warning' }];
        if (node.kind === 'images') {
          return resources.images.length ? resources.images.map((image): ProjectNode => ({ kind: 'image', entry, image })) : [{ kind: 'message', entry, text: 'no image yet: Build Image', icon: 'info' }];
        }
        return resources.containers.length ? resources.containers.map((container): ProjectNode => ({ kind: 'container', entry, container })) : [{ kind: 'message', entry, text: 'not running: Run Locally', icon: 'info' }];
      }
      case 'model': {
        const state = await this.store.model(entry);
        if (!state) return [];
        if ('error' in state) return [{ kind: 'message', entry, text: state.error, icon: 'error' }];
        return [
          ...state.info.inputs.map((tensor): ProjectNode => ({ kind: 'tensor', entry, role: 'input', tensor })),
          ...state.info.outputs.map((tensor): ProjectNode => ({ kind: 'tensor', entry, role: 'output', tensor })),
        ];
      }
      case 'metrics': {
        if (!entry.metrics) return [{ kind: 'message', entry, text: entry.config?.validation ? 'not validated yet' : 'no validation set in the config', icon: 'info' }];
        return Object.entries(entry.metrics.metrics).map(([name, value]): ProjectNode => ({ kind: 'metric', entry, name, value }));
      }
      default:
        return [];
    }
  }

  getTreeItem(node: ProjectNode): vscode.TreeItem {
    const item = this.render(node);
    item.contextValue = contextValueOf(node);
    return item;
  }

  private render(node: ProjectNode): vscode.TreeItem {
    const entry = node.entry;
    const collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    const none = vscode.TreeItemCollapsibleState.None;
    switch (node.kind) {
      case 'project': {
        const item = new vscode.TreeItem(entry.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `project:${entry.dir}`;
        const errors = entry.problems.filter((p) => p.severity === 'error').length;
        item.description = errors ? `${errors} config error${errors > 1 ? 's' : ''}` : [entry.version, entry.activity].filter(Boolean).join(' · ');
        item.iconPath = new vscode.ThemeIcon(entry.activity ? 'sync~spin' : errors ? 'error' : 'package');
        item.tooltip = new vscode.MarkdownString(`**${entry.name}** ${entry.version ?? ''}\n\n${entry.dir}`);
        item.resourceUri = vscode.Uri.file(entry.dir);
        return item;
      }
      case 'problem': {
        const item = new vscode.TreeItem(node.problem.message, none);
        item.description = `line ${node.problem.line}`;
        item.tooltip = node.problem.hint ? `${node.problem.message}. ${node.problem.hint}` : node.problem.message;
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
        item.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(entry.configFile), { selection: new vscode.Range(node.problem.line - 1, node.problem.column - 1, node.problem.line - 1, node.problem.column - 1) }] };
        return item;
      }
      case 'model': {
        const item = new vscode.TreeItem('Model', collapsed);
        item.id = `model:${entry.dir}`;
        item.description = entry.config?.modelPath;
        item.iconPath = new vscode.ThemeIcon('circuit-board');
        item.resourceUri = entry.config ? vscode.Uri.file(entry.config.model) : undefined;
        return item;
      }
      case 'tensor': {
        const item = new vscode.TreeItem(node.tensor.name, none);
        item.description = `${node.role} · ${formatSignature(node.tensor)}`;
        item.iconPath = new vscode.ThemeIcon(node.role === 'input' ? 'arrow-right' : 'arrow-left');
        return item;
      }
      case 'metrics': {
        const item = new vscode.TreeItem('Validation', entry.metrics ? vscode.TreeItemCollapsibleState.Expanded : collapsed);
        // A new id for new metrics: the tree then opens the node to show them instead of keeping it as it was.
        item.id = `metrics:${entry.dir}:${entry.metrics?.createdAt ?? 'none'}`;
        item.description = entry.metrics ? `${entry.metrics.rows} rows · ${new Date(entry.metrics.createdAt).toLocaleString()}` : undefined;
        item.iconPath = new vscode.ThemeIcon('graph');
        return item;
      }
      case 'metric': {
        const item = new vscode.TreeItem(node.name, none);
        item.description = formatMetricValue(node.value);
        item.iconPath = new vscode.ThemeIcon('symbol-number');
        return item;
      }
      case 'images': {
        const item = new vscode.TreeItem('Images', collapsed);
        item.id = `images:${entry.dir}`;
        item.iconPath = new vscode.ThemeIcon('package');
        return item;
      }
      case 'image': {
        const { image } = node;
        const item = new vscode.TreeItem(image.tags[0] ?? image.id.replace(/^sha256:/, '').slice(0, 12), none);
        item.id = `image:${entry.dir}:${image.id}`;
        item.description = `${formatBytes(image.sizeBytes)} · ${formatAge(image.created)}`;
        const metrics = image.metrics ? Object.entries(image.metrics).map(([name, value]) => `${name} ${formatMetricValue(value)}`).join(', ') : 'no validation metrics';
        item.tooltip = new vscode.MarkdownString(`**${image.tags.join(', ') || 'untagged'}**\n\n${image.id}\n\n${metrics}`);
        item.iconPath = new vscode.ThemeIcon('archive');
        return item;
      }
      case 'containers': {
        const item = new vscode.TreeItem('Containers', collapsed);
        item.id = `containers:${entry.dir}`;
        item.iconPath = new vscode.ThemeIcon('vm');
        return item;
      }
      case 'container': {
        const { container } = node;
        const item = new vscode.TreeItem(container.port ? `:${container.port}` : container.name, none);
        item.id = `container:${container.id}`;
        item.description = [container.image, container.health ?? container.state].join(' · ');
        item.tooltip = new vscode.MarkdownString(`**${container.name}**\n\n${container.url ?? ''}\n\n${container.status}`);
        item.iconPath = new vscode.ThemeIcon(container.state !== 'running' ? 'vm-outline' : container.health === 'unhealthy' ? 'vm-active' : 'vm-running');
        return item;
      }
      case 'environments': {
        const item = new vscode.TreeItem('Environments', collapsed);
        item.id = `environments:${entry.dir}`;
        item.iconPath = new vscode.ThemeIcon('server-environment');
        return item;
      }
      case 'environment': {
        const { view } = node;
        const item = new vscode.TreeItem(view.name, collapsed);
        item.id = `environment:${entry.dir}:${view.name}`;
        const live = entry.config && this.live.seriesOf(entry.config, view.name);
        item.description = describeEnvironment(view, live);
        item.tooltip = environmentTooltip(view, live);
        const current = view.status?.current;
        const latest = live?.points.at(-1);
        const troubled = Boolean(latest?.errorRate || latest?.drift.some((f) => f.drifting));
        if (view.error || troubled) item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        else if (!current) item.iconPath = new vscode.ThemeIcon('circle-large-outline');
        else if (view.kind === 'registry') item.iconPath = new vscode.ThemeIcon('cloud', new vscode.ThemeColor('charts.green'));
        else item.iconPath = view.status?.serving ? new vscode.ThemeIcon('vm-running', new vscode.ThemeColor('charts.green')) : new vscode.ThemeIcon('vm-outline', new vscode.ThemeColor('disabledForeground'));
        return item;
      }
      case 'history': {
        const { item: history } = node;
        const item = new vscode.TreeItem(history.version, none);
        item.id = `history:${entry.dir}:${node.environment}:${history.time}:${history.digest}`;
        item.description = [history.action, formatAge(new Date(history.time)), history.who].filter(Boolean).join(' · ');
        item.tooltip = historyTooltip(history);
        item.iconPath = new vscode.ThemeIcon(history.current ? 'pass-filled' : HISTORY_ICON[history.action] ?? 'history', history.current ? new vscode.ThemeColor('charts.green') : undefined);
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, none);
        item.iconPath = new vscode.ThemeIcon(node.icon);
        return item;
      }
    }
  }
}
