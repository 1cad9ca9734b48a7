import * as net from 'node:net';

/** One HTTP/1.1 request written byte for byte, so that a case can send what no client library would. */
export interface RawRequest {
  method?: string;
  path?: string;
  /** Content-Length is the body's unless given here. */
  headers?: Record<string, string | number>;
  body?: string | Buffer;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function requestBytes(request: RawRequest): Buffer {
  const body = Buffer.from(request.body ?? '');
  const headers: Record<string, string | number> = { Host: '127.0.0.1', Connection: 'close', ...(request.body !== undefined ? { 'Content-Length': body.length } : {}), ...request.headers };
  const head = `${request.method ?? 'POST'} ${request.path ?? '/'} HTTP/1.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

function dechunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; ; ) {
    const lineEnd = bytes.indexOf('\r\n', at);
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** Sends the request on a new connection and reads the answer until the server closes it; rejects after `timeoutMs`. */
export function sendRaw(url: string, request: RawRequest, timeoutMs: number): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no complete answer within ${timeoutMs} ms`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const bytes = Buffer.concat(chunks);
      const split = bytes.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`not an HTTP answer: ${bytes.toString('latin1').slice(0, 200)}`));
      const [statusLine, ...lines] = bytes.subarray(0, split).toString('latin1').split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      const rest = bytes.subarray(split + 4);
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: (headers['transfer-encoding'] === 'chunked' ? dechunk(rest) : rest).toString('utf8') });
    });
    // Written, not ended: a half-closed connection would tell the server that a short body is all there is.
    socket.write(requestBytes(request));
  });
}
