import { jsonString } from '../core/oip/jsonString';
import { logTime } from './logTime';

/**
 * The access-log line of one answered request: the JSON that JSON.stringify makes of
 * { time, method, path, status, ms, bytes }, written directly, as this runs for every request.
 */
export function accessLogLine(method: string | undefined, path: string, status: number, ms: number, bytes: number): string {
  // No method (which a server's request always has) leaves the key out, as JSON.stringify does with undefined.
  const methodField = method === undefined ? '' : `"method":${jsonString(method)},`;
  return `{"time":"${logTime()}",${methodField}"path":${jsonString(path)},"status":${status},"ms":${ms},"bytes":${bytes}}`;
}
