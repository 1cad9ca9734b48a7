/**
 * The steps of a deploy as the CLI announces them on stderr (src/core/deploy: metricsDiff, swapLocal,
 * release, pushVersion), in order. A step from `switch` on may have changed what the environment serves.
 */
export interface DeployStep {
  name: string;
  stderr: RegExp;
  /** The kill may land once the environment has switched to the new version. */
  maySwitch?: boolean;
  /**
   * The step prints nothing: it is reached once the environment serves the new version, while the deploy
   * waits for a request held open on the old one to drain before retiring it.
   */
  afterSwitch?: boolean;
}

/** A local environment: diff, then blue-green (start beside, smoke prediction, switch the router). */
export const LOCAL_DEPLOY_STEPS: DeployStep[] = [
  { name: 'scoring both versions', stderr: /^scoring \S+ and \S+ on the same rows/m },
  { name: 'starting the candidate', stderr: /^starting \S+ beside \S+ in /m },
  { name: 'smoke prediction', stderr: /^smoke prediction on \S+$/m },
  { name: 'switching the router', stderr: /^switching \S+ to \S+$/m, maySwitch: true },
  { name: 'draining the old version after the switch', stderr: /^switching \S+ to \S+$/m, maySwitch: true, afterSwitch: true },
];

/** A registry environment: diff, a smoke prediction in a scratch container, then push and channel tag. */
export const REGISTRY_DEPLOY_STEPS: DeployStep[] = [
  { name: 'scoring both versions', stderr: /^scoring \S+ and \S+ on the same rows/m },
  { name: 'smoke prediction', stderr: /^smoke prediction on \S+ in a scratch container$/m },
  { name: 'pushing', stderr: /^pushing \S+$/m },
];
