import type { LineBuffer } from './lineBuffer';
import { logTime } from './logTime';

/** The start of a line up to its "ms" value, as bytes, and what it was made of. */
interface LineStart {
  time: string;
  method: string | undefined;
  path: string;
  status: number;
  bytes: Uint8Array;
}

const BYTES_KEY = Buffer.from(',"bytes":');

// The last line's start: under load, the requests that end in the same millisecond share time, method,
// path and status, and so all of the line but its last two numbers.
let last: LineStart = { time: '', method: undefined, path: '', status: 0, bytes: new Uint8Array(0) };

/**
 * Writes the access-log line of one answered request to `lines`: the JSON that JSON.stringify makes of
 * { time, method, path, status, ms, bytes }, written piece by piece, as this runs for every request.
 */
export function writeAccessLogLine(lines: LineBuffer, method: string | undefined, path: string, status: number, ms: number, bytes: number): void {
  const time = logTime();
  if (time !== last.time || method !== last.method || path !== last.path || status !== last.status) last = { time, method, path, status, bytes: Buffer.from(accessLogLineStart(time, method, path, status)) };
  lines.copy(last.bytes);
  lines.number(ms);
  lines.copy(BYTES_KEY);
  lines.number(bytes);
  lines.text('}');
  lines.endLine();
}

/**
 * An access-log line's start, up to its "ms" value: the model server's and the router's lines begin alike,
 * as JSON.stringify writes { time, method, path, status, ms, ... }.
 */
export function accessLogLineStart(time: string, method: string | undefined, path: string, status: number): string {
  // No method (which a server's request always has) leaves the key out, as JSON.stringify does with undefined.
  const methodKey = method === undefined ? '' : `,"method":${JSON.stringify(method)}`;
  return `{"time":${JSON.stringify(time)}${methodKey},"path":${JSON.stringify(path)},"status":${status},"ms":`;
}
