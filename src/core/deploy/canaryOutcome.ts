import type { CanaryAnalysis } from './canaryAnalysis';

/** What a deploy, promote or rollback did to a canary, as its result reports it. */
export interface CanaryOutcome {
  /** The canary's version. */
  version: string;
  /** Its percentage of the requests (while it ran). */
  share: number;
  /** The version that served the rest. */
  beside: string;
  /** running: it serves its share now; promoted: it serves every request; aborted: it is gone. */
  state: 'running' | 'promoted' | 'aborted';
  /** deploy --canary --analyze: what the analysis saw and decided. */
  analysis?: CanaryAnalysis;
}
