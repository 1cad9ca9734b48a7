import * as vscode from 'vscode';
import type { ApprovalRequest, DeployPorts } from '../core/deploy/ports';
import { chainCredentials, dockerConfigCredentials, type CredentialSource, type RegistryCredentials } from '../core/registry/credentials';
import { normalizeRegistryHost } from '../core/registry/registryHost';
import { formatMetricValue } from '../core/report/validationReport';
import { shortDigest } from '../core/report/deployReport';
import { Disposable } from './disposable';
import { log } from './log';

/** Secret-storage keys of registry logins: one per registry host. */
const SECRET_PREFIX = 'modelDeploy.registryLogin/';
/** Hosts with a login in secret storage (names only, never a secret), so Logout can offer them. */
const HOSTS_KEY = 'modelDeploy.registryLoginHosts';

function isCredentials(value: unknown): value is RegistryCredentials {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.identityToken === 'string' || (typeof record.username === 'string' && typeof record.password === 'string');
}

/**
 * Registry logins kept in VS Code's secret storage (the OS keychain), one per registry host; never in
 * settings or files, never logged. `credentials` asks them first, then Docker's own config.
 */
export class RegistryLogins extends Disposable implements CredentialSource {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Fires when a login is stored or removed (here or in another window). */
  readonly onDidChange = this.changed.event;
  /** The logins of this extension, then Docker's (`docker login`, credential helpers). */
  readonly credentials: CredentialSource = chainCredentials(this, dockerConfigCredentials());

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
  ) {
    super();
    this.register(secrets.onDidChange((e) => e.key.startsWith(SECRET_PREFIX) && this.changed.fire()));
  }

  private key(host: string): string {
    return `${SECRET_PREFIX}${normalizeRegistryHost(host)}`;
  }

  async get(host: string): Promise<RegistryCredentials | undefined> {
    const text = await this.secrets.get(this.key(host));
    if (!text) return undefined;
    try {
      const value = JSON.parse(text) as unknown;
      return isCredentials(value) ? value : undefined;
    } catch {
      log.warn(`the stored login for ${normalizeRegistryHost(host)} is unreadable; log in again`);
      return undefined;
    }
  }

  async store(host: string, credentials: RegistryCredentials): Promise<void> {
    await this.secrets.store(this.key(host), JSON.stringify(credentials));
    const hosts = new Set(this.hosts);
    hosts.add(normalizeRegistryHost(host));
    await this.state.update(HOSTS_KEY, [...hosts].sort());
  }

  /** Forgets the host's login; false when there was none. */
  async delete(host: string): Promise<boolean> {
    const had = (await this.secrets.get(this.key(host))) !== undefined;
    await this.secrets.delete(this.key(host));
    await this.state.update(
      HOSTS_KEY,
      this.hosts.filter((h) => h !== normalizeRegistryHost(host)),
    );
    return had;
  }

  /** The hosts this extension holds a login for. */
  get hosts(): string[] {
    const stored = this.state.get<unknown>(HOSTS_KEY);
    return Array.isArray(stored) ? stored.filter((h): h is string => typeof h === 'string') : [];
  }
}

const ACTION_VERB: Record<ApprovalRequest['action'], string> = { deploy: 'Deploy', promote: 'Promote', rollback: 'Roll back' };

/** The approve button: names the action, the version and the environment ("Deploy 2.0.0 to production"). */
export function approvalButton(request: ApprovalRequest): string {
  return request.action === 'rollback' ? `Roll Back ${request.environment} to ${request.version}` : `${ACTION_VERB[request.action]} ${request.version} to ${request.environment}`;
}

/** What the modal says: the environment, the action and the version, and the diff's verdict when there is one. */
function approvalDetail(request: ApprovalRequest): string {
  const lines = [`${request.environment} requires an explicit approval for every change.`];
  if (request.digest) lines.push(`Image: ${shortDigest(request.digest)}`);
  const diff = request.diff;
  if (diff) {
    lines.push(diff.deployed ? `Replaces: ${diff.deployed.version} (${shortDigest(diff.deployed.digest)})` : `${request.environment} serves nothing yet.`);
    for (const row of diff.rows.filter((r) => r.candidate !== undefined)) {
      const change = row.change !== undefined ? ` (${row.change >= 0 ? '+' : ''}${formatMetricValue(row.change)})` : '';
      lines.push(`${row.name}: ${formatMetricValue(row.candidate!)}${change}${row.verdict === 'none' ? '' : `, gate ${row.verdict}`}`);
    }
    if (diff.predictions) lines.push(`${diff.predictions.changed} of ${diff.predictions.rows} predictions change.`);
    if (!diff.gates.passed) lines.push(`Gates fail: ${diff.gates.failures.join('; ')}`);
  }
  return lines.join('\n');
}

/** Asks for the approval in a modal dialog; only the explicit button approves. */
export async function approveInModal(request: ApprovalRequest): Promise<boolean> {
  const button = approvalButton(request);
  const verb = request.action === 'rollback' ? `roll ${request.environment} back to ${request.version}` : `${request.action} ${request.version} to ${request.environment}`;
  const choice = await vscode.window.showWarningMessage(`Model Deploy: ${verb}?`, { modal: true, detail: approvalDetail(request) }, button);
  const approved = choice === button;
  log.info(`${request.environment}: ${request.action} of ${request.version} ${approved ? 'approved' : 'not approved'}`);
  return approved;
}

/**
 * The extension's side of the deploy ports: logins from secret storage then Docker's config, approval in a
 * modal dialog, progress in the log and in the running progress notification.
 */
export function extensionPorts(credentials: CredentialSource, report?: (message: string) => void): DeployPorts {
  return {
    credentials,
    approve: approveInModal,
    progress: (message) => {
      log.info(message);
      report?.(message.length > 100 ? `${message.slice(0, 99)}…` : message);
    },
  };
}
