import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../../src/core/errors';
import { metricsEndpoint, scrapeMetrics } from '../../src/core/watch/scrapeMetrics';
import type { ModelServer } from '../../src/runtime/startServer';
import { IRIS, serve } from '../support/servingFixture';

/** A UserError whose message matches, naming the address it failed on. */
const userError = (message: RegExp) => (error: unknown) => {
  assert.ok(error instanceof UserError, String(error));
  assert.match(error.message, message);
  return true;
};

async function listen(handler: http.RequestListener): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('watch: scraping a service', function () {
  this.timeout(30_000);

  describe("the serving runtime's /metrics", () => {
    let model: ModelServer;
    before(async () => {
      model = await serve(IRIS, 'iris');
    });
    after(() => model.close());

    it('is read and parsed, with the time it was read', async () => {
      const before = Date.now();
      const scrape = await scrapeMetrics(model.url);
      assert.ok(scrape.at >= before && scrape.at <= Date.now());
      assert.equal(scrape.samples.find((s) => s.name === 'modeldeploy_requests_in_flight')?.value, 1, 'the scrape itself is in flight');
      assert.ok(scrape.samples.some((s) => s.name === 'modeldeploy_model_load_seconds'));
    });
  });

  describe('other answers', () => {
    let site: { url: string; server: http.Server };
    const hanging: http.ServerResponse[] = [];
    before(async () => {
      site = await listen((request, response) => {
        if (request.url === '/html/metrics') response.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body>Welcome</body></html>');
        else if (request.url === '/other/metrics') response.writeHead(200, { 'Content-Type': 'text/plain' }).end('# TYPE up gauge\nup 1\n');
        else if (request.url === '/slow/metrics') hanging.push(response);
        else response.writeHead(404).end('no such page');
      });
    });
    after(() => {
      for (const response of hanging) response.destroy();
      site.server.close();
    });

    it('an answer that is not 200', async () => {
      await assert.rejects(scrapeMetrics(`${site.url}/missing`), userError(new RegExp(`^${site.url}/missing/metrics answered HTTP 404, not metrics$`)));
    });

    it('an answer that is not Prometheus text', async () => {
      await assert.rejects(scrapeMetrics(`${site.url}/html`), userError(/\/html\/metrics did not answer Prometheus text \(line 1: expected a metric name: <html>/));
    });

    it("Prometheus text that is not a Model Deploy service's", async () => {
      await assert.rejects(scrapeMetrics(`${site.url}/other/`), userError(/\/other\/metrics answers Prometheus metrics, but not a Model Deploy service's \(it has no modeldeploy_requests_in_flight\)/));
    });

    it('no answer within the timeout', async () => {
      await assert.rejects(scrapeMetrics(`${site.url}/slow`, { timeoutMs: 300 }), userError(/^cannot read http:\/\/127\.0\.0\.1:\d+\/slow\/metrics: no answer within 0\.3 s$/));
    });

    it('https to a server that speaks plain http', async () => {
      await assert.rejects(scrapeMetrics(site.url.replace('http:', 'https:')), userError(/^cannot read https:\/\/127\.0\.0\.1:\d+\/metrics: it does not speak HTTPS$/));
    });
  });

  it('nothing listening', async () => {
    const { url, server } = await listen(() => undefined);
    await new Promise((resolve) => server.close(resolve));
    await assert.rejects(scrapeMetrics(url), userError(new RegExp(`^cannot read ${url}/metrics: connection refused$`)));
  });

  it('appends /metrics to the service address, keeping its path', () => {
    assert.equal(metricsEndpoint('http://127.0.0.1:20000'), 'http://127.0.0.1:20000/metrics');
    assert.equal(metricsEndpoint('https://models.example.com/iris'), 'https://models.example.com/iris/metrics');
    assert.equal(metricsEndpoint('https://models.example.com/iris/'), 'https://models.example.com/iris/metrics');
  });

  it('refuses an address that is not http or https', () => {
    assert.throws(() => metricsEndpoint('ftp://models.example.com'), userError(/^ftp:\/\/models\.example\.com is not an http:\/\/ or https:\/\/ address$/));
    assert.throws(() => metricsEndpoint('models.example.com'), userError(/is not an http:\/\/ or https:\/\/ address/));
  });
});
