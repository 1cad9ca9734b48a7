// A child process that sends requests at a steady rate and prints their latencies' p50 and p99 (ms, to the
// microsecond) as one JSON line. An open loop: each request goes on its schedule whether or not the ones
// before it were answered, as independent clients would send them, so a slower server cannot slow the
// load down and hide its own latency.
import * as http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

interface PacedSpec {
  url: string;
  ratePerSecond: number;
  durationS: number;
  /** The request body, base64. */
  body: string;
  headers: Record<string, string>;
}

function send(spec: PacedSpec, body: Buffer, agent: http.Agent): Promise<{ ms: number; ok: boolean }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const request = http.request(spec.url, { method: 'POST', agent, headers: { ...spec.headers, 'content-length': body.length } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ ms: performance.now() - started, ok: response.statusCode === 200 }));
    });
    request.on('error', () => resolve({ ms: performance.now() - started, ok: false }));
    request.end(body);
  });
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as PacedSpec;
  const body = Buffer.from(spec.body, 'base64');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const count = Math.round(spec.ratePerSecond * spec.durationS);
  const interval = 1000 / spec.ratePerSecond;
  const answers: Promise<{ ms: number; ok: boolean }>[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + i * interval - performance.now();
    if (wait > 0) await sleep(wait);
    answers.push(send(spec, body, agent));
  }
  const results = await Promise.all(answers);
  agent.destroy();
  const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
  const at = (q: number) => Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(3));
  process.stdout.write(`${JSON.stringify({ perSecond: count / spec.durationS, p50: at(0.5), p99: at(0.99), errors: results.filter((r) => !r.ok).length })}\n`);
}

void main();
