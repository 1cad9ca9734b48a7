import type { IncomingMessage } from 'node:http';
import { OipError } from '../core/oip/oipTypes';
import { deadlineSweep } from './deadlineSweep';

export interface BodyLimits {
  /** Largest body accepted, in bytes (413 beyond). */
  maxBytes: number;
  /** Time allowed for the whole body to arrive (408 after). */
  timeoutMs: number;
}

/**
 * How much of an over-limit body is read and dropped before the 413 is sent, as a multiple of the limit.
 * A client that writes its whole body before reading (curl, Node's client) then reads the 413 instead of
 * a reset connection; a client that sends more than this is cut off once the 413 is written.
 */
export const DRAIN_FACTOR = 4;

/**
 * Reads a request's body whole and calls `done` once: with the bytes, or with an error (an OipError 413
 * past the limit, 408 past the deadline, or the stream's own when the client goes away). A body that comes
 * in one chunk is that chunk, uncopied; one in several is copied into a single Buffer, made once at the
 * declared Content-Length when there is one and grown by doubling when there is none (chunked) or the
 * bytes outrun it. Events and a callback, not promises, and a shared deadline check instead of a timer of
 * its own: this runs for every request.
 */
export function readRequestBody(request: IncomingMessage, limits: BodyLimits, done: (error: Error | undefined, body: Buffer) => void): void {
  const limit = limits.maxBytes;
  const declared = Number(request.headers['content-length'] ?? 0);
  let first: Buffer | undefined;
  let joined: Buffer | undefined;
  let size = 0;
  let settled = false;
  const settle = (error: Error | undefined, body: Buffer) => {
    if (settled) return; // a stream error can follow the 413, the 408 or the end: the caller hears of the first only
    settled = true;
    deadlines.cancel(expire);
    done(error, body);
  };
  const tooLarge = () => settle(new OipError(413, `the body is over the limit of ${limit} bytes`), EMPTY);
  // Past the limit, the rest is read and dropped, up to DRAIN_FACTOR times the limit, and then answered.
  let overLimit = declared > limit;
  let dropped = 0;
  const onDrop = (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_FACTOR * limit) tooLarge();
  };
  const drain = () => {
    request.removeListener('data', onData);
    request.on('data', onDrop);
    overLimit = true;
    dropped = size;
  };
  const onData = (chunk: Buffer) => {
    if (size + chunk.length > limit) {
      drain();
      onDrop(chunk);
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
  const onEnd = () => {
    if (overLimit) tooLarge();
    else settle(undefined, joined ? joined.subarray(0, size) : (first ?? EMPTY));
  };
  const expire = () => {
    if (overLimit) tooLarge();
    else settle(new OipError(408, `the body did not arrive within ${limits.timeoutMs / 1000} s`), EMPTY);
  };
  const deadlines = deadlineSweep(limits.timeoutMs);
  deadlines.add(expire);
  request.on('data', overLimit ? onDrop : onData);
  request.on('end', onEnd);
  request.on('error', (error: Error) => settle(error, EMPTY));
}

const EMPTY = Buffer.alloc(0);
