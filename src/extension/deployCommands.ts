import * as vscode from 'vscode';
import { candidateImage, deployProject, diffEnvironment } from '../core/deploy/deploy';
import type { MetricsDiff } from '../core/deploy/diffTypes';
import { GateBlockedError } from '../core/deploy/gateBlockedError';
import type { HistoryView } from '../core/deploy/history';
import { promote } from '../core/deploy/promote';
import type { ReleaseResult } from '../core/deploy/release';
import { rollback } from '../core/deploy/rollback';
import { CancelledError, UserError } from '../core/errors';
import type { ProjectConfig } from '../core/project/projectConfig';
import { formatDiffMarkdown } from '../core/report/diffReport';
import { formatRelease, shortDigest } from '../core/report/deployReport';
import type { CommandServices } from './commandTable';
import { extensionPorts } from './deployPorts';
import { DiffPanel } from './diffPanel';
import type { EnvironmentView } from './environmentStore';
import { log } from './log';
import { withCancellableProgress } from './progress';
import type { ProjectEntry } from './projectStore';
import { busy, requireTrust } from './projectWork';
import { requireConfig, resolveProject } from './resolveProject';
import { describeEnvironment, formatAge } from './tree/projectTreeProvider';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The environment a command was invoked on: a tree node, or `{ entry, environment }` from another command. */
function environmentArg(arg: unknown): string | undefined {
  return isRecord(arg) && typeof arg.environment === 'string' ? arg.environment : undefined;
}

/** The history entry a command was invoked on (a history node of the tree). */
function historyArg(arg: unknown): { environment: string; item: HistoryView } | undefined {
  if (!isRecord(arg) || arg.kind !== 'history' || typeof arg.environment !== 'string' || !isRecord(arg.item) || typeof arg.item.digest !== 'string') return undefined;
  return { environment: arg.environment, item: arg.item as unknown as HistoryView };
}

/** The environment named by the invocation, or the user's pick from a list that says what each runs. */
export async function chooseEnvironment(services: CommandServices, config: ProjectConfig, arg: unknown, placeHolder: string, offer: (view: EnvironmentView) => boolean = () => true): Promise<string> {
  const named = environmentArg(arg);
  if (named) return named;
  const views = (await services.environments.environments(config)).filter(offer);
  if (!views.length) throw new UserError(`${config.name} has no environment to choose`, { file: config.configFile, field: 'environments' }, 'add one under environments: in modeldeploy.yaml');
  const picked = await vscode.window.showQuickPick(
    views.map((view) => ({
      label: view.name,
      description: view.error ? `unavailable: ${view.error}` : describeEnvironment(view),
      detail: [view.config.registry ? `registry ${view.config.registry}` : 'local Docker engine', view.config.approval === 'required' ? 'approval required' : ''].filter(Boolean).join(' · '),
      name: view.name,
    })),
    { placeHolder, matchOnDescription: true },
  );
  if (!picked) throw new CancelledError();
  return picked.name;
}

/** Deploy to Environment...: the diff against what the environment runs, in a panel whose Deploy button deploys. */
export async function deployToEnvironmentCommand(services: CommandServices, arg?: unknown): Promise<DiffPanel> {
  requireTrust('Deploying');
  return openDiff(services, arg, 'Deploy to which environment?');
}

/** Compare Metrics...: the same panel; comparing is allowed anywhere, its Deploy button checks trust. */
export async function compareMetricsCommand(services: CommandServices, arg?: unknown): Promise<DiffPanel> {
  return openDiff(services, arg, 'Compare the candidate with which environment?');
}

async function openDiff(services: CommandServices, arg: unknown, placeHolder: string): Promise<DiffPanel> {
  const entry = await resolveProject(services.store, services.statusBar, arg);
  const config = requireConfig(entry);
  const environment = await chooseEnvironment(services, config, arg, `${placeHolder} (${config.name} ${config.version})`);
  const docker = await services.engine.engine();
  const diff = await withCancellableProgress(`Model Deploy: comparing ${config.name} ${config.version} with ${environment}`, (signal, report) =>
    diffEnvironment(docker, config, environment, extensionPorts(services.logins.credentials, report), signal),
  );
  log.block(formatDiffMarkdown(diff));
  return DiffPanel.show(services.extensionUri, diff, {
    approvalRequired: config.environments.find((e) => e.name === environment)?.approval === 'required',
    onDeploy: () => deployFromPanel(services, entry, diff),
    markdown: () => formatDiffMarkdown(diff),
  });
}

/**
 * The panel's Deploy: the project as it is now (its gates and approval read again), provided the candidate
 * is still the image the diff was made for; through the same gates and approval as the CLI.
 */
async function deployFromPanel(services: CommandServices, shown: ProjectEntry, diff: MetricsDiff): Promise<string> {
  requireTrust('Deploying');
  const entry = services.store.find(shown.dir) ?? shown;
  const config = requireConfig(entry);
  const docker = await services.engine.engine();
  const candidate = await candidateImage(docker, config);
  if (candidate.version !== diff.candidate.version || (diff.candidate.digest && candidate.digest !== diff.candidate.digest)) {
    throw new UserError(`${config.name} ${candidate.version} (${shortDigest(candidate.digest)}) is not the candidate this diff was made for (${diff.candidate.version})`, undefined, 'compare again: Model Deploy: Compare Metrics...');
  }
  try {
    const result = await busy(services, entry, 'deploying', () =>
      withCancellableProgress(`Model Deploy: deploying ${config.name} ${config.version} to ${diff.environment}`, (signal, report) => deployProject(docker, config, diff.environment, extensionPorts(services.logins.credentials, report), signal)),
    );
    log.block(formatRelease({ ...result, diff: undefined }));
    return releaseMessage(result);
  } catch (error) {
    // The panel shows it as the result; a blocked deploy is also said where it cannot be missed.
    if (error instanceof GateBlockedError) {
      void vscode.window.showErrorMessage(`Model Deploy: ${error.format()}`, 'Show Logs').then((choice) => choice && log.show());
    }
    throw error;
  }
}

function releaseMessage(result: ReleaseResult): string {
  if (!result.changed) return `${result.environment} already runs ${result.version} (${shortDigest(result.digest)}): nothing changed`;
  return `${result.environment} now runs ${result.version} (${shortDigest(result.digest)})${result.url ? ` at ${result.url}` : ''}`;
}

function announce(result: ReleaseResult): void {
  log.block(formatRelease(result));
  void vscode.window.showInformationMessage(`Model Deploy: ${releaseMessage(result)}`);
}

/** Promote Staging to Production: the exact image staging runs, through production's gates and approval. */
export async function promoteCommand(services: CommandServices, arg?: unknown): Promise<ReleaseResult> {
  requireTrust('Promoting');
  const entry = await resolveProject(services.store, services.statusBar, arg);
  const config = requireConfig(entry);
  const docker = await services.engine.engine();
  const result = await busy(services, entry, 'deploying', () =>
    withCancellableProgress(`Model Deploy: promoting ${config.name} from staging to production`, (signal, report) => promote(docker, config, 'staging', 'production', extensionPorts(services.logins.credentials, report), signal)),
  );
  announce(result);
  return result;
}

/** Roll Back...: an environment, then one of its earlier entries (or the entry it was invoked on). */
export async function rollBackCommand(services: CommandServices, arg?: unknown): Promise<ReleaseResult> {
  requireTrust('Rolling back');
  const entry = await resolveProject(services.store, services.statusBar, arg);
  const config = requireConfig(entry);
  const here = historyArg(arg);
  if (here) return rollBackTo(services, entry, config, here.environment, here.item);
  const environment = await chooseEnvironment(services, config, arg, `Roll back which environment of ${config.name}?`, (view) => earlierEntries(view).length > 0);
  const view = await services.environments.environment(config, environment);
  if (view?.error || view?.historyError) throw new UserError(`cannot read the history of ${environment}: ${view.error ?? view.historyError}`);
  const earlier = view ? earlierEntries(view) : [];
  if (!earlier.length) throw new UserError(`${environment} has no earlier version to roll back to`);
  const picked = await vscode.window.showQuickPick(
    earlier.map((item) => ({ label: item.version, description: `${item.action} · ${formatAge(new Date(item.time))} · ${shortDigest(item.digest)}`, detail: [item.time, item.who].filter(Boolean).join(' · '), item })),
    { placeHolder: `Roll ${environment} back to (it runs ${view?.status?.current?.version ?? 'nothing'} now)` },
  );
  if (!picked) throw new CancelledError();
  return rollBackTo(services, entry, config, environment, picked.item);
}

/** Roll Back Here: the history entry of the tree it was invoked on. */
export async function rollBackHereCommand(services: CommandServices, arg?: unknown): Promise<ReleaseResult> {
  requireTrust('Rolling back');
  const here = historyArg(arg);
  if (!here) throw new UserError('Roll Back Here acts on a history entry', undefined, 'open Environments in the Model Deploy view and use it on an entry, or run "Model Deploy: Roll Back..."');
  const entry = await resolveProject(services.store, services.statusBar, arg);
  return rollBackTo(services, entry, requireConfig(entry), here.environment, here.item);
}

/** The history entries an environment can go back to: those of another image than the one it runs. */
function earlierEntries(view: EnvironmentView): HistoryView[] {
  const running = view.status?.current?.digest;
  return (view.history ?? []).filter((h) => !h.current && h.digest !== running);
}

async function rollBackTo(services: CommandServices, entry: ProjectEntry, config: ProjectConfig, environment: string, item: HistoryView): Promise<ReleaseResult> {
  const running = (await services.environments.environment(config, environment))?.status?.current;
  if (item.current || running?.digest === item.digest) throw new UserError(`${environment} runs ${item.version} (${shortDigest(item.digest)}) already`, undefined, 'choose an entry of another version');
  const docker = await services.engine.engine();
  const result = await busy(services, entry, 'deploying', () =>
    withCancellableProgress(`Model Deploy: rolling ${environment} back to ${item.version}`, (signal, report) => rollback(docker, config, environment, item.digest, extensionPorts(services.logins.credentials, report), signal)),
  );
  announce(result);
  return result;
}
