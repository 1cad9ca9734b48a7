import * as vscode from 'vscode';

/** The extension's one log channel, behind a small facade so nothing else writes to the console. */
class Log {
  private channel?: vscode.LogOutputChannel;

  init(channel: vscode.LogOutputChannel): vscode.Disposable {
    this.channel = channel;
    return channel;
  }

  info(message: string): void {
    this.channel?.info(message);
  }

  warn(message: string): void {
    this.channel?.warn(message);
  }

  error(message: string, error?: unknown): void {
    if (error instanceof Error) this.channel?.error(`${message}\n${error.stack ?? error.message}`);
    else this.channel?.error(message);
  }

  debug(message: string): void {
    this.channel?.debug(message);
  }

  /** Appends a block of text (a report) as it is. */
  block(text: string): void {
    for (const line of text.split('\n')) this.channel?.info(line);
  }

  show(): void {
    this.channel?.show(true);
  }
}

export const log = new Log();
