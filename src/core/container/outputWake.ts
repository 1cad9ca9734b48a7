import type Docker from 'dockerode';

/** Paces a loop that waits for a container: each turn ends at the container's next output, or after a time. */
export interface OutputWake {
  /** Resolves when the container writes (or has written since the last turn) or its output ends, or after `ms`. */
  next(ms: number): Promise<void>;
  close(): void;
}

/**
 * Attaches to a container's output, before it starts, so that a readiness loop probes when the server
 * says something (the model server's "listening" and "ready" lines) instead of only on a timer: the
 * answer comes as soon as the server is ready, and a loading model is not probed over and over while
 * it competes for the same cores. Where the engine refuses the attach, turns end on the timer alone.
 */
export async function wakeOnOutput(container: Docker.Container): Promise<OutputWake> {
  let output: NodeJS.ReadableStream | undefined;
  try {
    output = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
  } catch {
    output = undefined;
  }
  let written = false;
  let wake: (() => void) | undefined;
  const onOutput = () => {
    if (wake) wake();
    else written = true;
  };
  output?.on('data', onOutput);
  output?.on('end', onOutput);
  output?.on('error', onOutput);
  return {
    next: (ms) => {
      if (written) {
        written = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wake = done;
      });
    },
    close: () => (output as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined)?.destroy?.(),
  };
}
