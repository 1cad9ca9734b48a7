import * as vscode from 'vscode';
import { CancelledError, UserError } from '../core/errors';
import { ConfigError } from '../core/project/configProblem';
import { locateField } from '../core/project/locateField';
import { log } from './log';

const SHOW_LOGS = 'Show Logs';
const OPEN_FILE = 'Open File';

/**
 * Every command runs inside this: a cancelled run is quiet, a user's mistake is shown with its place and
 * hint, anything else is logged with its stack; every message offers the logs. The command's result is
 * returned (tests and other commands read it); undefined when it failed or was cancelled.
 */
export async function runGuarded<T>(commandId: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CancelledError) {
      log.info(`${commandId}: cancelled`);
      return undefined;
    }
    // A ConfigError keeps its class: its text lists every problem of the config.
    const userError = error instanceof ConfigError ? error : error instanceof UserError ? new UserError(error.message, locateField(error.location), error.hint) : undefined;
    const text = userError ? userError.format() : `${commandId} failed: ${(error as Error)?.message ?? String(error)}`;
    if (userError) log.warn(text);
    else log.error(text, error);
    const location = userError?.location;
    const actions = location?.line !== undefined ? [OPEN_FILE, SHOW_LOGS] : [SHOW_LOGS];
    // Not awaited: the command is over; the message stays until the user answers it.
    void vscode.window.showErrorMessage(`Model Deploy: ${text}`, ...actions).then(async (choice) => {
      if (choice === SHOW_LOGS) log.show();
      if (choice === OPEN_FILE && location?.line !== undefined) {
        const position = new vscode.Position(location.line - 1, Math.max(0, (location.column ?? 1) - 1));
        await vscode.window.showTextDocument(vscode.Uri.file(location.file), { selection: new vscode.Range(position, position) });
      }
    });
    return undefined;
  }
}
