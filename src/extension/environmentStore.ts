import * as vscode from 'vscode';
import { environmentStatus, type EnvironmentStatus } from '../core/deploy/environmentState';
import { environmentHistory, type HistoryView } from '../core/deploy/history';
import type { EnvironmentConfig, ProjectConfig } from '../core/project/projectConfig';
import type { CredentialSource } from '../core/registry/credentials';
import { Disposable } from './disposable';
import type { EngineState } from './engineState';
import { log } from './log';
import { ReloadThrottle } from './reloadThrottle';

/** One environment of a project as the views show it; what could not be read is a message, not a throw. */
export interface EnvironmentView {
  name: string;
  kind: 'local' | 'registry';
  config: EnvironmentConfig;
  /** What it runs now; undefined when it could not be read (see `error`). */
  status?: EnvironmentStatus;
  /** Its deploys, promotions and rollbacks, newest first. */
  history?: HistoryView[];
  /** Why the status could not be read (the engine or the registry did not answer, no login...). */
  error?: string;
  /** Why the history could not be read, when the status could. */
  historyError?: string;
}

/** Engine changes within this of a reload are answered by one more reload at its end. */
const RELOAD_THROTTLE_MS = 500;

type ProjectKey = Pick<ProjectConfig, 'dir' | 'name' | 'environments'>;

function keyOf(project: ProjectKey): string {
  return `${project.dir}\n${project.name}\n${JSON.stringify(project.environments)}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Each project's environments: what they run and their history, loaded on first need (the tree's
 * Environments node, the status bar), cached, and loaded again after the engine reports a change
 * (throttled), a login changes, or a deploy command asks. Views listen to one event.
 */
export class EnvironmentStore extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private readonly cache = new Map<string, Promise<EnvironmentView[]>>();
  private readonly latest = new Map<string, EnvironmentView[]>();
  private readonly engineReloads = this.register(new ReloadThrottle(RELOAD_THROTTLE_MS, () => this.reload()));

  constructor(
    private readonly engine: EngineState,
    private readonly credentials: CredentialSource,
    loginsChanged: vscode.Event<void>,
  ) {
    super();
    this.register(engine.onDidChange(() => this.engineReloads.request()));
    this.register(loginsChanged(() => this.reload()));
  }

  /** The project's environments, loaded once and then after each change. Never rejects. */
  environments(project: ProjectConfig): Promise<EnvironmentView[]> {
    const key = keyOf(project);
    let loaded = this.cache.get(key);
    if (!loaded) {
      const loading: Promise<EnvironmentView[]> = this.load(project).then((views) => {
        // A load overtaken by a reload is not kept: the one that replaced it is newer.
        if (this.cache.get(key) !== loading) return views;
        const changed = JSON.stringify(views) !== JSON.stringify(this.latest.get(key));
        this.latest.set(key, views);
        if (changed) this.changed.fire();
        return views;
      });
      loaded = loading;
      this.cache.set(key, loaded);
    }
    return loaded;
  }

  /** What was last loaded for a project, for views that render synchronously (the status bar). */
  snapshot(project: ProjectKey): EnvironmentView[] | undefined {
    return this.latest.get(keyOf(project));
  }

  /** One environment of a project, loading the project's environments when needed. */
  async environment(project: ProjectConfig, name: string): Promise<EnvironmentView | undefined> {
    return (await this.environments(project)).find((e) => e.name === name);
  }

  /** Forgets what was loaded (a deploy command changed something) and tells the views to ask again. */
  reload(): void {
    this.cache.clear();
    this.changed.fire();
  }

  private async load(project: ProjectConfig): Promise<EnvironmentView[]> {
    let docker;
    try {
      docker = await this.engine.engine();
    } catch (error) {
      const message = messageOf(error);
      return project.environments.map((config) => ({ name: config.name, kind: config.registry ? 'registry' : 'local', config, error: message }));
    }
    return Promise.all(
      project.environments.map(async (config): Promise<EnvironmentView> => {
        const view: EnvironmentView = { name: config.name, kind: config.registry ? 'registry' : 'local', config };
        const [status, history] = await Promise.allSettled([environmentStatus(docker, project, config, this.credentials), environmentHistory(docker, project, config.name, this.credentials)]);
        if (status.status === 'fulfilled') view.status = status.value;
        else view.error = messageOf(status.reason);
        if (history.status === 'fulfilled') view.history = history.value;
        else if (!view.error) view.historyError = messageOf(history.reason);
        if (view.error) log.debug(`${project.name} ${config.name}: ${view.error}`);
        return view;
      }),
    );
  }
}
