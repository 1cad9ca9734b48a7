import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelInfo } from '../core/model/modelInfo';
import { checkProjectConfig } from '../core/project/checkProjectConfig';
import type { ConfigProblem } from '../core/project/configProblem';
import { findProjectDirs } from '../core/project/findProjects';
import { CONFIG_FILE_NAME, type ProjectConfig } from '../core/project/projectConfig';
import { readMetrics } from '../core/validation/metricsStore';
import type { ValidationReport } from '../core/validation/validationReport';
import { runInWorker } from '../core/worker/runInWorker';
import type { Config } from './config';
import { Disposable } from './disposable';
import { log } from './log';

export type ProjectActivity = 'inspecting' | 'validating' | 'building' | 'starting' | 'stopping' | 'predicting' | 'deploying';

/** One model project of the workspace as the views see it. */
export interface ProjectEntry {
  dir: string;
  configFile: string;
  folder: vscode.WorkspaceFolder;
  /** The config's name, or the folder name while the config has errors. */
  name: string;
  version?: string;
  config?: ProjectConfig;
  problems: ConfigProblem[];
  metrics?: ValidationReport;
  activity?: ProjectActivity;
}

export type ModelState = { info: ModelInfo } | { error: string };

const REFRESH_DELAY_MS = 250;

/**
 * The data behind the tree, the status bar and the diagnostics: the workspace's projects, their configs,
 * last metrics and (inspected on demand, off the extension host's thread) their models. Views render it
 * and listen to one event.
 */
export class ProjectStore extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private entries: ProjectEntry[] = [];
  // Kept by folder, not on the entries: a refresh while a command runs replaces the entries.
  private readonly activities = new Map<string, ProjectActivity>();
  private readonly models = new Map<string, { stamp: string; state: Promise<ModelState> }>();
  private timer?: NodeJS.Timeout;
  private loading?: Promise<void>;

  constructor(private readonly config: Config) {
    super();
    const watchers = [`**/${CONFIG_FILE_NAME}`, '**/.modeldeploy/metrics/*.json', '**/*.onnx'].map((glob) => this.register(vscode.workspace.createFileSystemWatcher(glob)));
    for (const watcher of watchers) {
      this.register(watcher.onDidCreate(() => this.scheduleRefresh()));
      this.register(watcher.onDidChange(() => this.scheduleRefresh()));
      this.register(watcher.onDidDelete(() => this.scheduleRefresh()));
    }
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.scheduleRefresh()));
    this.register(config.onDidChange(() => this.scheduleRefresh()));
    this.register({ dispose: () => clearTimeout(this.timer) });
  }

  get projects(): readonly ProjectEntry[] {
    return this.entries;
  }

  /** Resolves once the first scan is done. */
  ready(): Promise<void> {
    return (this.loading ??= this.reload());
  }

  scheduleRefresh(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), REFRESH_DELAY_MS);
  }

  async refresh(): Promise<void> {
    this.loading = this.reload();
    await this.loading;
  }

  find(dir: string): ProjectEntry | undefined {
    return this.entries.find((e) => e.dir === dir);
  }

  /** The project holding `file`, the innermost one when projects nest. */
  projectOf(file: string): ProjectEntry | undefined {
    return this.entries.filter((e) => file === e.dir || file.startsWith(e.dir + path.sep)).sort((a, b) => b.dir.length - a.dir.length)[0];
  }

  setActivity(entry: ProjectEntry, activity: ProjectActivity | undefined): void {
    if (activity) this.activities.set(entry.dir, activity);
    else this.activities.delete(entry.dir);
    for (const current of this.entries) if (current.dir === entry.dir) current.activity = activity;
    this.changed.fire();
  }

  /** The model's signature, inspected once per model file version on the worker thread. */
  model(entry: ProjectEntry): Promise<ModelState> | undefined {
    const file = entry.config?.model;
    if (!file) return undefined;
    return this.modelState(file);
  }

  private async modelState(file: string): Promise<ModelState> {
    try {
      const stat = await fs.stat(file);
      const stamp = `${stat.size}:${stat.mtimeMs}`;
      const cached = this.models.get(file);
      if (cached?.stamp === stamp) return await cached.state;
      const state = runInWorker('inspect', { file }).then(
        (info): ModelState => ({ info }),
        (error: Error): ModelState => {
          log.warn(`inspecting ${file} failed: ${error.message}`);
          return { error: error.message };
        },
      );
      this.models.set(file, { stamp, state });
      return await state;
    } catch (error) {
      return { error: (error as Error).message };
    }
  }

  private async reload(): Promise<void> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const found: ProjectEntry[] = [];
    for (const folder of folders) {
      for (const dir of await findProjectDirs(folder.uri.fsPath, this.config.searchDepth)) {
        found.push(await this.load(folder, dir));
      }
    }
    this.entries = found;
    void vscode.commands.executeCommand('setContext', 'modelDeploy.hasProjects', found.length > 0);
    log.debug(`found ${found.length} model project(s)`);
    this.changed.fire();
  }

  private async load(folder: vscode.WorkspaceFolder, dir: string): Promise<ProjectEntry> {
    const configFile = path.join(dir, CONFIG_FILE_NAME);
    const entry: ProjectEntry = { dir, configFile, folder, name: path.basename(dir), problems: [], activity: this.activities.get(dir) };
    try {
      const check = checkProjectConfig(await fs.readFile(configFile, 'utf8'), configFile);
      entry.problems = check.problems;
      entry.config = check.config;
      if (check.config) {
        entry.name = check.config.name;
        entry.version = check.config.version;
        entry.metrics = await readMetrics(check.config, check.config.version);
      }
    } catch (error) {
      entry.problems = [{ severity: 'error', message: `cannot read ${CONFIG_FILE_NAME}: ${(error as Error).message}`, line: 1, column: 1, endLine: 1, endColumn: 1 }];
    }
    return entry;
  }
}
