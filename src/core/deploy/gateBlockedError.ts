import { UserError } from '../errors';
import type { MetricsDiff } from './diffTypes';

/** A failing quality gate stopped a deploy to an environment that gates block; the CLI exits 3. */
export class GateBlockedError extends UserError {
  constructor(readonly diff: MetricsDiff) {
    super(`${diff.environment} is blocked by its quality gates: ${diff.gates.failures.join('; ')}`, undefined, `${diff.environment} keeps ${diff.deployed ? diff.deployed.version : 'serving nothing'}; improve the model, or change the gates in modeldeploy.yaml`);
    this.name = 'GateBlockedError';
  }
}
