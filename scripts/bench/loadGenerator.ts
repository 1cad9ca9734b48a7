// A child process that puts an autocannon load on a URL and prints the result as one JSON line, so the
// load generator can be pinned to its own core (taskset) away from the server it measures.
import autocannon from 'autocannon';

interface LoadSpec {
  url: string;
  connections: number;
  durationS: number;
  /** The request body, base64 (binary bodies survive the trip). */
  body?: string;
  headers?: Record<string, string>;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as LoadSpec;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationS,
    method: spec.body ? 'POST' : 'GET',
    body: spec.body ? Buffer.from(spec.body, 'base64') : undefined,
    headers: spec.headers,
  });
  process.stdout.write(`${JSON.stringify({ perSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx })}\n`);
}

void main();
