import type Docker from 'dockerode';
import { LABEL } from '../packaging/imageLabels';

export interface EngineEvent {
  /** container, image, ... */
  Type: string;
  /** start, die, destroy, health_status: healthy, tag, delete, ... */
  Action: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

const RECONNECT_MS = 5_000;

/**
 * Calls `onEvent` for every engine event about what this tool created, reconnecting after a lost
 * connection (an engine restart), until the returned function is called.
 */
export function watchEngineEvents(docker: Docker, onEvent: (event: EngineEvent) => void, onError?: (error: Error) => void): () => void {
  let stopped = false;
  let current: (NodeJS.ReadableStream & { destroy(): void }) | undefined;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    try {
      // Image deletes carry no labels, so image events are watched whole and containers by label.
      const stream = (await docker.getEvents({ filters: { type: ['container', 'image'] } })) as NodeJS.ReadableStream & { destroy(): void };
      if (stopped) return stream.destroy();
      current = stream;
      let pending = '';
      stream.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.trim()) continue;
          try {
            const event = JSON.parse(line) as EngineEvent;
            if (event.Type === 'image' || event.Actor?.Attributes?.[LABEL.managed] === 'true') onEvent(event);
          } catch {
            // a malformed line says nothing about our resources
          }
        }
      });
      stream.on('end', () => schedule());
      stream.on('error', (error: Error) => {
        onError?.(error);
        schedule();
      });
    } catch (error) {
      onError?.(error as Error);
      schedule();
    }
  };
  const schedule = () => {
    if (stopped) return;
    clearTimeout(retry);
    retry = setTimeout(() => void connect(), RECONNECT_MS);
  };
  void connect();
  return () => {
    stopped = true;
    clearTimeout(retry);
    current?.destroy();
  };
}
