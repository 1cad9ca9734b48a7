/** One piece of a container's output, from the stream it was written to. */
export interface LogFrame {
  stream: 'stdout' | 'stderr';
  text: string;
}

/**
 * Splits the engine's multiplexed log format (an 8-byte header per frame: stream id, 3 zero bytes, a
 * big-endian length) into frames. Feed it chunks as they come: a frame cut across chunks is kept
 * until the rest arrives.
 */
export class LogDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): LogFrame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: LogFrame[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      frames.push({ stream: this.pending[0] === 2 ? 'stderr' : 'stdout', text: this.pending.subarray(8, 8 + size).toString('utf8') });
      this.pending = this.pending.subarray(8 + size);
    }
    return frames;
  }
}

/** A whole multiplexed log as frames. */
export function demuxLogs(buffer: Buffer): LogFrame[] {
  return new LogDemuxer().push(buffer);
}
