import { writeSync } from 'node:fs';

/** Log lines are JSON on stdout, one per line, for whatever collects the container's output. */
export function log(level: string, message: string, extra: Record<string, unknown> = {}): void {
  writeStdout(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...extra })}\n`);
}

// Set once stdout has not taken a write at once: from then on every write goes through Node's stream, so
// that nothing written later overtakes what it still holds.
let useStream = false;

/**
 * Writes to stdout with system calls of its own: building Node's process.stdout stream costs milliseconds
 * of every start, and its writes to a pipe are immediate anyway. What stdout does not take at once (a full
 * pipe that another holder made non-blocking, a closed one) goes to that stream, which queues it or
 * reports the error as it always did. Bytes are copied before they go to the stream: the caller may write
 * over them once this returns.
 */
export function writeStdout(text: string | Uint8Array): void {
  if (useStream) {
    process.stdout.write(typeof text === 'string' ? text : Buffer.from(text));
    return;
  }
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(1, bytes, written);
  } catch {
    useStream = true;
    process.stdout.write(Buffer.from(bytes.subarray(written)));
  }
}
