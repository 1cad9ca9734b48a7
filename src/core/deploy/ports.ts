import type { CredentialSource } from '../registry/credentials';
import type { MetricsDiff } from './diffTypes';

/** What a deploy asks a person to confirm when an environment says `approval: required`. */
export interface ApprovalRequest {
  environment: string;
  version: string;
  digest?: string;
  action: 'deploy' | 'promote' | 'rollback';
  diff?: MetricsDiff;
  /** The change is to a canary: a deploy that starts one with this percentage of the requests, a promote or a rollback of one. */
  canary?: number;
  /** The change is to a shadow: a deploy that starts one, a promote or a rollback of one. */
  shadow?: true;
}

/**
 * What a deploy needs from whoever runs it (the CLI or the extension), so that core stays free of both:
 * where registry credentials come from, how a person approves, where progress goes.
 */
export interface DeployPorts {
  credentials: CredentialSource;
  /** Resolves true to go on; false stops the deploy before anything changes. */
  approve(request: ApprovalRequest): Promise<boolean>;
  progress(message: string): void;
}
