import * as vscode from 'vscode';
import { CancelledError, UserError } from '../core/errors';
import { staticCredentials } from '../core/registry/credentials';
import { RegistryClient } from '../core/registry/registryClient';
import { normalizeRegistryHost } from '../core/registry/registryHost';
import { registryTarget } from '../core/registry/registryReference';
import type { CommandServices } from './commandTable';
import { log } from './log';
import { withCancellableProgress } from './progress';

/** The registry host of `host[:port][/path]` as written in a config, or a message saying what is wrong. */
function hostOf(text: string): string {
  return registryTarget(text.trim(), 'x').host;
}

/** The registry hosts the workspace's projects deploy to, each with the projects and environments using it. */
function projectRegistries(services: CommandServices): Map<string, string[]> {
  const hosts = new Map<string, string[]>();
  for (const entry of services.store.projects) {
    for (const environment of entry.config?.environments ?? []) {
      if (!environment.registry) continue;
      try {
        const host = normalizeRegistryHost(hostOf(environment.registry));
        hosts.set(host, [...(hosts.get(host) ?? []), `${entry.name} ${environment.name}`]);
      } catch {
        // An invalid registry is reported by the config's diagnostics.
      }
    }
  }
  return hosts;
}

/** The registry of the environment node a command was invoked on. */
function registryArg(arg: unknown): string | undefined {
  if (typeof arg !== 'object' || arg === null || !('view' in arg)) return undefined;
  const registry = (arg as { view?: { config?: { registry?: unknown } } }).view?.config?.registry;
  return typeof registry === 'string' ? registry : undefined;
}

const OTHER = '$(edit) Another registry...';

/** The registry to log in to or out of: the invoking node's, else a pick (the projects' registries first). */
async function chooseRegistry(services: CommandServices, arg: unknown, action: 'login' | 'logout'): Promise<string> {
  const fromNode = registryArg(arg);
  if (fromNode) return normalizeRegistryHost(hostOf(fromNode));
  await services.store.ready();
  const used = projectRegistries(services);
  const stored = new Set(services.logins.hosts);
  const hosts = action === 'login' ? [...used.keys()] : [...new Set([...stored, ...used.keys()])];
  const items: (vscode.QuickPickItem & { host?: string })[] = hosts.map((host) => ({
    label: host,
    description: [stored.has(host) ? 'logged in' : '', used.get(host)?.join(', ') ?? ''].filter(Boolean).join(' · '),
    host,
  }));
  if (action === 'login') items.push({ label: OTHER });
  if (!items.length) throw new UserError('no registry is configured and no login is stored', undefined, 'add registry: to an environment in modeldeploy.yaml');
  const picked = await vscode.window.showQuickPick(items, { placeHolder: action === 'login' ? 'Log in to which registry?' : 'Forget the login of which registry?' });
  if (!picked) throw new CancelledError();
  if (picked.host) return picked.host;
  const typed = await vscode.window.showInputBox({
    title: 'Registry Login',
    prompt: 'Registry host, as in an image reference (host[:port])',
    placeHolder: 'registry.example.com or localhost:5000',
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        hostOf(value);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    },
  });
  if (typed === undefined) throw new CancelledError();
  return normalizeRegistryHost(hostOf(typed));
}

/**
 * Registry Login: a user name and a password (or access token), checked against the registry before it is
 * kept in VS Code's secret storage. The password is never logged nor written to a file.
 */
export async function registryLoginCommand(services: CommandServices, arg?: unknown): Promise<{ registry: string; username: string }> {
  const host = await chooseRegistry(services, arg, 'login');
  const username = await vscode.window.showInputBox({ title: `Log in to ${host}`, prompt: 'User name', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'enter a user name') });
  if (username === undefined) throw new CancelledError();
  const password = await vscode.window.showInputBox({ title: `Log in to ${host} as ${username.trim()}`, prompt: 'Password or access token (kept in VS Code\'s secret storage)', password: true, ignoreFocusOut: true, validateInput: (v) => (v ? undefined : 'enter the password or token') });
  if (password === undefined) throw new CancelledError();
  const credentials = { username: username.trim(), password };
  await withCancellableProgress(`Model Deploy: checking the login to ${host}`, (signal) =>
    Promise.race([
      new RegistryClient(host, { credentials: staticCredentials({ [host]: credentials }) }).ping(),
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new CancelledError()), { once: true })),
    ]),
  );
  await services.logins.store(host, credentials);
  log.info(`logged in to ${host} as ${credentials.username} (kept in VS Code's secret storage)`);
  services.environments.reload();
  void vscode.window.showInformationMessage(`Model Deploy: logged in to ${host} as ${credentials.username}`);
  return { registry: host, username: credentials.username };
}

/** Registry Logout: forgets the login this extension keeps for a registry (Docker's own logins stay). */
export async function registryLogoutCommand(services: CommandServices, arg?: unknown): Promise<{ registry: string; removed: boolean }> {
  const host = await chooseRegistry(services, arg, 'logout');
  const removed = await services.logins.delete(host);
  log.info(removed ? `forgot the login for ${host}` : `there was no login for ${host} in VS Code's secret storage`);
  services.environments.reload();
  void vscode.window.showInformationMessage(removed ? `Model Deploy: logged out of ${host}` : `Model Deploy: there was no login for ${host} in VS Code's secret storage (logins of docker login stay in Docker's config)`);
  return { registry: host, removed };
}
