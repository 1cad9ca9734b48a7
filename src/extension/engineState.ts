import type Docker from 'dockerode';
import * as vscode from 'vscode';
import { listProjectContainers, listProjectImages, type ProjectContainer, type ProjectImage } from '../core/container/projectResources';
import { connectEngine } from '../core/engine/dockerEngine';
import { watchEngineEvents } from '../core/engine/engineEvents';
import type { ProjectConfig } from '../core/project/projectConfig';
import { Disposable } from './disposable';
import { log } from './log';
import { ReloadThrottle } from './reloadThrottle';

/** What the engine holds for one project, or why it cannot be asked. */
export type EngineResources = { images: ProjectImage[]; containers: ProjectContainer[] } | { error: string };

/** Engine events within this of a reload are answered by one more reload at its end. */
const EVENT_THROTTLE_MS = 150;

/**
 * The Docker side of the views: the engine connection (made on first need, never during activation),
 * each project's images and local containers, reloaded when the engine reports a change to what this
 * tool made (throttled) or a command asks.
 */
export class EngineState extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private connection?: Promise<Docker>;
  private readonly cache = new Map<string, Promise<EngineResources>>();
  private readonly latest = new Map<string, EngineResources>();
  private readonly eventReloads = this.register(new ReloadThrottle(EVENT_THROTTLE_MS, () => this.reload()));

  /** The engine client; a UserError (shown by the error boundary) when the engine does not answer. */
  engine(): Promise<Docker> {
    this.connection ??= connectEngine().then((docker) => {
      const stop = watchEngineEvents(docker, () => this.eventReloads.request(), (error) => log.debug(`engine events: ${error.message}`));
      this.register({ dispose: stop });
      return docker;
    });
    // A failed connection is retried on the next need (the user may start Docker meanwhile).
    this.connection.catch(() => (this.connection = undefined));
    return this.connection;
  }

  /** The project's images and containers, loaded once and then after each change. */
  resources(project: Pick<ProjectConfig, 'dir' | 'name'>): Promise<EngineResources> {
    const key = `${project.dir}\n${project.name}`;
    let loaded = this.cache.get(key);
    if (!loaded) {
      loaded = this.load(project).then((resources) => {
        const changed = JSON.stringify(resources) !== JSON.stringify(this.latest.get(key));
        this.latest.set(key, resources);
        if (changed) this.changed.fire();
        return resources;
      });
      this.cache.set(key, loaded);
    }
    return loaded;
  }

  /** The last loaded state of a project, for views that render synchronously (the status bar). */
  snapshot(project: Pick<ProjectConfig, 'dir' | 'name'>): EngineResources | undefined {
    return this.latest.get(`${project.dir}\n${project.name}`);
  }

  /** Forgets what was loaded and tells the views to ask again. */
  reload(): void {
    this.cache.clear();
    this.changed.fire();
  }

  private async load(project: Pick<ProjectConfig, 'dir' | 'name'>): Promise<EngineResources> {
    try {
      const docker = await this.engine();
      const [images, containers] = await Promise.all([listProjectImages(docker, project), listProjectContainers(docker, project)]);
      return { images, containers };
    } catch (error) {
      return { error: (error as Error).message };
    }
  }
}
