import { CancelledError, UserError } from '../errors';

/** One JSON line of a build, pull or push stream. */
export interface ProgressEvent {
  stream?: string;
  status?: string;
  progress?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string; code?: number };
  /** An object for the image id, digests and sizes; a base64 protobuf in BuildKit's trace events. */
  aux?: { ID?: string; Digest?: string; Tag?: string; Size?: number } | string;
}

/** A failure the engine reported inside a 200 response (a failed build step, an unknown base image). */
export class EngineStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineStreamError';
  }
}

export interface FollowOptions {
  /** What the stream is doing, for the timeout message ("the image build"). */
  what: string;
  onEvent?: (event: ProgressEvent) => void;
  /** Give up when the engine sends nothing for this long. */
  idleTimeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Reads an engine progress stream to its end. The engine reports failures as `{error}` events in a
 * successful response, so every event is checked; a silent engine and a cancel both end the wait.
 */
export function followProgress(stream: NodeJS.ReadableStream & { destroy(): void }, options: FollowOptions): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    const events: ProgressEvent[] = [];
    let pending = '';
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) {
        stream.destroy();
        reject(error);
      } else resolve(events);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(new UserError(`${options.what} got no answer from the Docker engine for ${Math.round(options.idleTimeoutMs / 1000)} s and was stopped`, undefined, 'check the engine (docker info) and try again')), options.idleTimeoutMs);
    };
    const onAbort = () => finish(new CancelledError());
    const handle = (line: string) => {
      if (!line.trim()) return;
      let event: ProgressEvent;
      try {
        event = JSON.parse(line) as ProgressEvent;
      } catch {
        event = { stream: line };
      }
      events.push(event);
      if (event.error || event.errorDetail?.message) return finish(new EngineStreamError((event.errorDetail?.message ?? event.error ?? '').trim()));
      options.onEvent?.(event);
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    arm();
    stream.on('data', (chunk: Buffer | string) => {
      arm();
      pending += chunk.toString();
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) if (!settled) handle(line);
    });
    stream.on('end', () => {
      if (!settled) handle(pending);
      finish();
    });
    stream.on('error', (error: Error) => finish(options.signal?.aborted ? new CancelledError() : error));
  });
}
