import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { UserError } from '../../src/core/errors';
import type { OipInferenceRequest } from '../../src/core/oip/oipTypes';
import { sendInference } from '../../src/core/predict/inferenceClient';
import { cli } from '../support/cliProcess';
import { EXAMPLES } from '../support/projectFixture';

const request: OipInferenceRequest = { inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }] };

async function refusal(work: Promise<unknown>): Promise<UserError> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
  return error;
}

describe('predict --url', () => {
  let server: http.Server;
  let port: number;
  let closedPort: number;
  const seen: { path?: string; authorization?: string }[] = [];
  before(async () => {
    // A model server that answers only its exact /infer path, and a text error for the model "broken".
    server = http.createServer((req, res) => {
      seen.push({ path: req.url, authorization: req.headers.authorization });
      if (req.url === '/v2/models/m/infer') res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ model_name: 'm', outputs: [] }));
      else if (req.url === '/v2/models/broken/infer') res.writeHead(502).end('bad gateway');
      else res.writeHead(404).end('{"error":"not found"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
  });
  after(() => server.close());

  it('takes the server URL with or without a trailing slash', async () => {
    for (const url of [`http://127.0.0.1:${port}`, `http://127.0.0.1:${port}/`, `http://127.0.0.1:${port}//`]) {
      assert.equal((await sendInference(url, 'm', request)).response.model_name, 'm', url);
    }
  });

  it('sends the credentials in the URL, and shows them in no message', async () => {
    const withCredentials = (p: number) => `http://user:secret@127.0.0.1:${p}/`;
    assert.equal((await sendInference(withCredentials(port), 'm', request)).response.model_name, 'm');
    assert.equal(seen.at(-1)?.authorization, `Basic ${Buffer.from('user:secret').toString('base64')}`);
    const errors = [await refusal(sendInference(withCredentials(port), 'broken', request)), await refusal(sendInference(withCredentials(closedPort), 'm', request, { timeoutMs: 2000 })), await refusal(sendInference('http://user:secret@[::1', 'm', request))];
    for (const error of errors) {
      assert.doesNotMatch(error.format(), /secret|user:/);
      assert.match(error.format(), /http:\/\/\*\*\*@/);
    }
    assert.match(errors[0].message, new RegExp(`^http://\\*\\*\\*@127\\.0\\.0\\.1:${port}/v2/models/broken/infer answered 502`));
    assert.match(errors[1].message, new RegExp(`^no answer from http://\\*\\*\\*@127\\.0\\.0\\.1:${closedPort}/v2/models/m/infer`));
  });

  it('the CLI exits 2 without printing the credentials', () => {
    const run = cli(['predict', '--url', `http://user:secret@127.0.0.1:${closedPort}/`, '--project', `${EXAMPLES}/iris`]);
    assert.equal(run.code, 2, run.stderr);
    assert.doesNotMatch(run.stdout + run.stderr, /secret/);
    assert.match(run.stderr, /no answer from http:\/\/\*\*\*@127\.0\.0\.1/);
  });
});
