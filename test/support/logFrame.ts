/** One frame of the engine's multiplexed log stream: an 8-byte header (stream, length), then the text. */
export function logFrame(stream: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}
