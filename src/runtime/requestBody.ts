import type { IncomingMessage } from 'node:http';
import { OipError } from '../core/oip/oipTypes';

/**
 * Reads a request's body whole and calls `done` once: with the bytes, or with an error (an OipError 413
 * past `limit` bytes, or the stream's own). A body that comes in one chunk is that chunk, uncopied; one
 * in several is copied into a single Buffer, made once at the declared Content-Length when there is one
 * and grown by doubling when there is none (chunked) or the bytes outrun it. Events and a callback, not
 * promises: this runs for every request.
 */
export function readRequestBody(request: IncomingMessage, limit: number, done: (error: Error | undefined, body: Buffer) => void): void {
  const declared = Number(request.headers['content-length'] ?? 0);
  let first: Buffer | undefined;
  let joined: Buffer | undefined;
  let size = 0;
  let settled = false;
  // A stream error can follow the 413 or the end: the caller hears of the first only.
  const settle = (error: Error | undefined, body: Buffer) => {
    if (settled) return;
    settled = true;
    done(error, body);
  };
  const onData = (chunk: Buffer) => {
    if (size + chunk.length > limit) {
      request.removeListener('data', onData);
      request.removeListener('end', onEnd);
      request.resume(); // the rest is read and dropped; the answer closes the connection
      settle(new OipError(413, `the body is over the limit of ${limit} bytes`), EMPTY);
      return;
    }
    if (!first) first = chunk;
    else {
      if (!joined) {
        joined = Buffer.allocUnsafe(Math.min(limit, Math.max(declared, 2 * (size + chunk.length))));
        first.copy(joined);
      } else if (size + chunk.length > joined.length) {
        const grown = Buffer.allocUnsafe(Math.min(limit, 2 * (size + chunk.length)));
        joined.copy(grown, 0, 0, size);
        joined = grown;
      }
      chunk.copy(joined, size);
    }
    size += chunk.length;
  };
  const onEnd = () => settle(undefined, joined ? joined.subarray(0, size) : (first ?? EMPTY));
  request.on('data', onData);
  request.on('end', onEnd);
  request.on('error', (error: Error) => settle(error, EMPTY));
}

const EMPTY = Buffer.alloc(0);
