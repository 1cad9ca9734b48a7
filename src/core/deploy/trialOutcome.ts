import type { CanaryAnalysis } from './canaryAnalysis';
import type { RunningTrial } from './localTrial';

/** What a deploy, promote or rollback did to a trial release. */
interface TrialOutcome {
  /** The trial's version. */
  version: string;
  /** The version that served beside it. */
  beside: string;
  /** running: it runs beside that version now; promoted: it serves every request; aborted: it is gone. */
  state: 'running' | 'promoted' | 'aborted';
}

/** What a deploy, promote or rollback did to a canary, as its result reports it. */
export interface CanaryOutcome extends TrialOutcome {
  /** Its percentage of the requests (while it ran); the version beside it served the rest. */
  share: number;
  /** deploy --canary --analyze: what the analysis saw and decided. */
  analysis?: CanaryAnalysis;
}

/** What a deploy, promote or rollback did to a shadow (a copy of each request; the version beside it answered them all). */
export type ShadowOutcome = TrialOutcome;

/** A release result's field for what happened to `trial`: `canary` with its share, or `shadow`. */
export function trialOutcome(trial: RunningTrial, beside: string, state: TrialOutcome['state']): { canary: CanaryOutcome } | { shadow: ShadowOutcome } {
  const outcome = { version: trial.version, beside, state };
  return trial.kind === 'canary' ? { canary: { ...outcome, share: trial.share! } } : { shadow: outcome };
}
