import type { LineBuffer } from './lineBuffer';
import { logTime } from './logTime';

/**
 * Writes the access-log line of one answered request to `lines`: the JSON that JSON.stringify makes of
 * { time, method, path, status, ms, bytes }, written piece by piece, as this runs for every request.
 */
export function writeAccessLogLine(lines: LineBuffer, method: string | undefined, path: string, status: number, ms: number, bytes: number): void {
  lines.text('{"time":"');
  lines.text(logTime());
  // No method (which a server's request always has) leaves the key out, as JSON.stringify does with undefined.
  if (method !== undefined) {
    lines.text('","method":');
    lines.jsonString(method);
    lines.text(',"path":');
  } else lines.text('","path":');
  lines.jsonString(path);
  lines.text(',"status":');
  lines.number(status);
  lines.text(',"ms":');
  lines.number(ms);
  lines.text(',"bytes":');
  lines.number(bytes);
  lines.text('}');
  lines.endLine();
}
