import * as vscode from 'vscode';

/** Runs long work in a cancellable notification; cancelling aborts the signal the core work listens to. */
export function withCancellableProgress<T>(title: string, work: (signal: AbortSignal, report: (message: string) => void) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const abort = new AbortController();
    const subscription = token.onCancellationRequested(() => abort.abort());
    return work(abort.signal, (message) => progress.report({ message })).finally(() => subscription.dispose());
  });
}
