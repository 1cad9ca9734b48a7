import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../../src/core/errors';
import type { LiveFigures } from '../../src/core/watch/liveFigures';
import { watchMetrics } from '../../src/core/watch/watchMetrics';
import type { ModelServer } from '../../src/runtime/startServer';
import { IRIS, serve } from '../support/servingFixture';

describe('watch: the scrape loop', function () {
  this.timeout(30_000);
  let model: ModelServer;
  before(async () => {
    model = await serve(IRIS, 'iris');
  });
  after(() => model.close());

  it('reports from the second scrape on, `count` times, over a window that slides', async () => {
    const reports: LiveFigures[] = [];
    await watchMetrics(model.url, { intervalMs: 30, windowMs: 100, count: 8, signal: new AbortController().signal, onFigures: (f) => reports.push(f) });
    assert.equal(reports.length, 8);
    assert.ok(reports.every((f) => f.requests === 0 && f.inFlight === 0), JSON.stringify(reports));
    // Eight intervals of 30 ms or more have passed; the window holds only the last 100 ms of them.
    assert.ok(reports.every((f) => f.windowSeconds > 0 && f.windowSeconds <= 0.1), reports.map((f) => f.windowSeconds).join(', '));
  });

  it('ends when the signal aborts, without waiting for the next interval', async () => {
    const abort = new AbortController();
    const reports: LiveFigures[] = [];
    const started = Date.now();
    await watchMetrics(model.url, {
      intervalMs: 20,
      signal: abort.signal,
      onFigures: (f) => {
        reports.push(f);
        if (reports.length === 2) setTimeout(() => abort.abort(), 5);
      },
    });
    assert.equal(reports.length, 2);
    assert.ok(Date.now() - started < 10_000);
  });

  it('ends with the UserError of a scrape that fails, the first or a later one', async () => {
    let answered = 0;
    const server = http.createServer((_request, response) => {
      answered++;
      response.end('modeldeploy_requests_in_flight 1\n');
      server.close();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const reports: LiveFigures[] = [];
    const watch = { intervalMs: 20, signal: new AbortController().signal, onFigures: (f: LiveFigures) => reports.push(f) };
    await assert.rejects(watchMetrics(url, watch), (error: unknown) => error instanceof UserError && error.message === `cannot read ${url}/metrics: connection refused`);
    assert.equal(answered, 1);
    assert.equal(reports.length, 0);
    await assert.rejects(watchMetrics(url, watch), UserError);
  });
});
