/**
 * A container's health check, run by the engine inside the container: `node -e` (the one program the
 * base image is sure to have) asks 127.0.0.1 and exits 0 on a 200 within two seconds, 1 otherwise.
 */
export interface HealthProbe {
  /** A JavaScript expression, evaluated in the container, for the port asked. */
  port: string;
  path: string;
  /** A JavaScript expression, evaluated in the container, for the request's headers. */
  headers?: string;
}

/** Every check's timing: the same for the model server (in its image) and the router (in its container). */
export const HEALTH_TIMING = { intervalS: 10, timeoutS: 3, startPeriodS: 5, retries: 3 } as const;

/** The probe as a `node -e` script. */
export function healthProbeScript(probe: HealthProbe): string {
  const options = probe.headers === undefined ? '{timeout:2000}' : `{timeout:2000,headers:${probe.headers}}`;
  return `require('http').get('http://127.0.0.1:'+${probe.port}+'${probe.path}',${options},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))`;
}

const NS_PER_S = 1e9;

/** The probe as a container's `Healthcheck` setting (Engine API durations are in nanoseconds). */
export function containerHealthcheck(probe: HealthProbe): { Test: string[]; Interval: number; Timeout: number; StartPeriod: number; Retries: number } {
  return {
    Test: ['CMD', 'node', '-e', healthProbeScript(probe)],
    Interval: HEALTH_TIMING.intervalS * NS_PER_S,
    Timeout: HEALTH_TIMING.timeoutS * NS_PER_S,
    StartPeriod: HEALTH_TIMING.startPeriodS * NS_PER_S,
    Retries: HEALTH_TIMING.retries,
  };
}
