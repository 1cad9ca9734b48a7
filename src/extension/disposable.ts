import * as vscode from 'vscode';

/** Base for long-lived objects: owns its children's disposables and disposes them once, in reverse order. */
export abstract class Disposable implements vscode.Disposable {
  private readonly children: vscode.Disposable[] = [];
  private disposed = false;

  protected register<T extends vscode.Disposable>(child: T): T {
    if (this.disposed) child.dispose();
    else this.children.push(child);
    return child;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    while (this.children.length) this.children.pop()!.dispose();
  }
}
