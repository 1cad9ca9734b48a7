import * as vscode from 'vscode';
import { Disposable } from './disposable';

const SECTION = 'modelDeploy';

/** The extension's settings, read in one place and typed; fires when any of them changes. */
export class Config extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;

  constructor() {
    super();
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SECTION)) this.changed.fire();
      }),
    );
  }

  private get settings(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  /** How many folder levels below each workspace folder are searched for modeldeploy.yaml. */
  get searchDepth(): number {
    return Math.max(0, Math.min(10, this.settings.get<number>('searchDepth', 4)));
  }

  get showStatusBar(): boolean {
    return this.settings.get<boolean>('statusBar.enabled', true);
  }

  /** Test predictions as binary tensor data instead of JSON numbers. */
  get binaryTestPrediction(): boolean {
    return this.settings.get<boolean>('testPrediction.binaryTensors', false);
  }
}
