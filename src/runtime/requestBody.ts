import type { IncomingMessage } from 'node:http';
import { OipError } from '../core/oip/oipTypes';
import { deadlineSweep, type DeadlineSweep } from './deadlineSweep';

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
 * bytes outrun it. This runs for every request: one object holds the reading's state, the stream's
 * listeners are functions shared by every request, a callback and not a promise says when it is done, and
 * a shared deadline check stands in for a timer of its own.
 */
export function readRequestBody(request: IncomingMessage, limits: BodyLimits, done: (error: Error | undefined, body: Buffer) => void): void {
  const reading = new BodyReading(limits, Number(request.headers['content-length'] ?? 0), done);
  (request as ReadRequest)[READING] = reading;
  reading.deadlines.add(reading);
  request.on('data', reading.overLimit ? onDroppedData : onData);
  request.on('end', onEnd);
  request.on('error', onError);
}

const READING = Symbol('body reading');

/** A request whose body is being read: its reading, found there by the shared listeners. */
interface ReadRequest extends IncomingMessage {
  [READING]: BodyReading;
}

class BodyReading {
  first: Buffer | undefined = undefined;
  joined: Buffer | undefined = undefined;
  size = 0;
  /** Past the limit, the rest is read and dropped, up to DRAIN_FACTOR times the limit, and then answered. */
  overLimit: boolean;
  dropped = 0;
  settled = false;
  deadlineSlot = -1;
  readonly deadlines: DeadlineSweep;

  constructor(
    readonly limits: BodyLimits,
    readonly declared: number,
    readonly done: (error: Error | undefined, body: Buffer) => void,
  ) {
    this.overLimit = declared > limits.maxBytes;
    this.deadlines = deadlineSweep(limits.timeoutMs);
  }

  settle(error: Error | undefined, body: Buffer): void {
    if (this.settled) return; // a stream error can follow the 413, the 408 or the end: the caller hears of the first only
    this.settled = true;
    this.deadlines.cancel(this);
    this.done(error, body);
  }

  tooLarge(): void {
    this.settle(new OipError(413, `the body is over the limit of ${this.limits.maxBytes} bytes`), EMPTY);
  }

  take(request: IncomingMessage, chunk: Buffer): void {
    const { size } = this;
    const limit = this.limits.maxBytes;
    if (size + chunk.length > limit) {
      request.removeListener('data', onData);
      request.on('data', onDroppedData);
      this.overLimit = true;
      this.dropped = size;
      this.drop(chunk);
      return;
    }
    if (!this.first) this.first = chunk;
    else {
      let joined = this.joined;
      if (!joined) {
        joined = this.joined = Buffer.allocUnsafe(Math.min(limit, Math.max(this.declared, 2 * (size + chunk.length))));
        this.first.copy(joined);
      } else if (size + chunk.length > joined.length) {
        const grown = Buffer.allocUnsafe(Math.min(limit, 2 * (size + chunk.length)));
        joined.copy(grown, 0, 0, size);
        joined = this.joined = grown;
      }
      chunk.copy(joined, size);
    }
    this.size = size + chunk.length;
  }

  drop(chunk: Buffer): void {
    this.dropped += chunk.length;
    if (this.dropped > DRAIN_FACTOR * this.limits.maxBytes) this.tooLarge();
  }

  end(): void {
    if (this.overLimit) this.tooLarge();
    else this.settle(undefined, this.joined ? this.joined.subarray(0, this.size) : (this.first ?? EMPTY));
  }

  /** Called by the deadline sweep. */
  expire(): void {
    if (this.overLimit) this.tooLarge();
    else this.settle(new OipError(408, `the body did not arrive within ${this.limits.timeoutMs / 1000} s`), EMPTY);
  }
}

function onData(this: ReadRequest, chunk: Buffer): void {
  this[READING].take(this, chunk);
}

function onDroppedData(this: ReadRequest, chunk: Buffer): void {
  this[READING].drop(chunk);
}

function onEnd(this: ReadRequest): void {
  this[READING].end();
}

function onError(this: ReadRequest, error: Error): void {
  this[READING].settle(error, EMPTY);
}

const EMPTY = Buffer.alloc(0);
