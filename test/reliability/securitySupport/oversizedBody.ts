import * as http from 'node:http';

/**
 * POSTs `bytes` bytes of JSON-ish filler to `url` and resolves with the answer. `declared`: with a
 * Content-Length and `Expect: 100-continue`, so a server can refuse before the body is sent; otherwise
 * chunked, so the server only learns the size by reading. Writing stops once an answer arrives.
 */
export function postOversized(url: string, bytes: number, declared: boolean): Promise<{ status: number; body: string }> {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  return new Promise((resolve, reject) => {
    let answered = false;
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json', ...(declared ? { 'Content-Length': bytes, Expect: '100-continue' } : { 'Transfer-Encoding': 'chunked' }) };
    const request = http.request(url, { method: 'POST', headers, agent: false }, (response) => {
      answered = true;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => (body += text));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body });
        request.destroy();
      });
    });
    request.setTimeout(60_000, () => request.destroy(new Error('no answer within 60 s')));
    request.on('error', (error) => (answered ? undefined : reject(error)));
    const send = async () => {
      for (let sent = 0; sent < bytes && !answered; sent += chunk.length) {
        const piece = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
        if (!request.write(piece)) await new Promise((drained) => request.once('drain', drained));
      }
      if (!answered) request.end();
    };
    if (declared) request.once('continue', () => void send());
    else void send();
    if (declared) request.flushHeaders();
  });
}
