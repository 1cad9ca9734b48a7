import { accessLogLineStart } from './accessLogLine';
import { logTime } from './logTime';

/**
 * The router's access-log line of one request: the JSON that JSON.stringify makes of { time, method,
 * path, status, ms, upstream, attempts (when retried), aborted (when the client left) }, written
 * directly, as this runs for every request.
 */
export function routerAccessLogLine(method: string | undefined, path: string, status: number, ms: number, upstream: string | undefined, attempts: number, aborted: boolean): string {
  return `${accessLogLineStart(logTime(), method, path, status)}${ms},"upstream":${upstream === undefined ? 'null' : JSON.stringify(upstream)}${attempts > 1 ? `,"attempts":${attempts}` : ''}${aborted ? ',"aborted":true' : ''}}`;
}
