import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import { answerHeaders, endToEndHeaders, forwardedRequest, withContentLength, type ForwardedRequest } from '../../src/runtime/hopByHopHeaders';
import { parseUpstreamUrl } from '../../src/runtime/upstreamUrl';

const upstream = parseUpstreamUrl('http://model-blue:8080');

/** What forwardedRequest makes of a request that node's own server parsed from these raw header lines. */
async function forwarded(headerLines: string[], body = ''): Promise<ForwardedRequest> {
  let result: ForwardedRequest | undefined;
  const server = http.createServer((request, response) => {
    result = forwardedRequest(request, upstream);
    request.resume();
    request.on('end', () => response.end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.end(`POST /v2/models/m/infer HTTP/1.1\r\n${headerLines.map((line) => `${line}\r\n`).join('')}Connection: close\r\n\r\n${body}`);
    socket.resume();
    await once(socket, 'close');
  } finally {
    server.close();
  }
  return result!;
}

/** Header lines as pairs, for comparing. */
const pairs = (lines: string[]) => lines.flatMap((name, i) => (i % 2 === 0 ? [[name, lines[i + 1]]] : []));

describe('the header lines the router forwards', () => {
  it('keeps end-to-end headers as sent, repeats and case included, and drops hop-by-hop ones and those Connection names', () => {
    const raw = ['Content-Type', 'application/json', 'X-Tag', 'a', 'Connection', 'keep-alive, X-Per-Hop', 'X-Per-Hop', 'dropped', 'Keep-Alive', 'timeout=5', 'TE', 'trailers', 'x-tag', 'b', 'Upgrade', 'h2c'];
    assert.deepEqual(pairs(endToEndHeaders(raw)), [['Content-Type', 'application/json'], ['X-Tag', 'a'], ['x-tag', 'b']]);
  });

  it('gives a request the upstream as Host, the client as X-Forwarded-Host and appended to X-Forwarded-For, and replaces what the client claimed', async () => {
    const sent = await forwarded(['Host: api.example.com', 'X-Forwarded-For: 10.0.0.1', 'X-Forwarded-For: 10.0.0.2', 'X-Forwarded-Proto: https', 'X-Forwarded-Host: spoofed', 'Content-Type: application/json', 'Content-Length: 2'], '{}');
    assert.deepEqual(pairs(sent.headers), [
      ['Content-Type', 'application/json'],
      ['Content-Length', '2'],
      ['Host', 'model-blue:8080'],
      ['X-Forwarded-For', '10.0.0.1, 10.0.0.2, 127.0.0.1'],
      ['X-Forwarded-Proto', 'http'],
      ['X-Forwarded-Host', 'api.example.com'],
    ]);
    assert.equal(sent.hasBody, true);
  });

  it('says whether a body follows: none at length 0 or without a length, one sent chunked is re-framed chunked', async () => {
    assert.equal((await forwarded(['Host: h', 'Content-Length: 0'])).hasBody, false);
    assert.equal((await forwarded(['Host: h'])).hasBody, false);
    const chunked = await forwarded(['Host: h', 'Transfer-Encoding: chunked'], '2\r\n{}\r\n0\r\n\r\n');
    assert.equal(chunked.hasBody, true);
    assert.deepEqual(pairs(chunked.headers).filter(([name]) => name.toLowerCase() === 'transfer-encoding'), [['Transfer-Encoding', 'chunked']]);
  });

  it('puts the router\'s own headers on an answer in place of any the upstream sent by those names', () => {
    const raw = ['Content-Type', 'application/json', 'X-Model-Deploy-Upstream', 'forged', 'Connection', 'keep-alive', 'Content-Length', '9'];
    assert.deepEqual(pairs(answerHeaders(raw, [['x-model-deploy-upstream', 'model-blue:8080'], ['x-model-deploy-environment', 'staging']])), [
      ['Content-Type', 'application/json'],
      ['Content-Length', '9'],
      ['x-model-deploy-upstream', 'model-blue:8080'],
      ['x-model-deploy-environment', 'staging'],
    ]);
    // An own header not set this time leaves the upstream's of that name alone.
    assert.deepEqual(pairs(answerHeaders(['X-Model-Deploy-Environment', 'e'], [])), [['X-Model-Deploy-Environment', 'e']]);
  });

  it('frames a body sent whole with its length, in place of the length or chunking the client used', () => {
    assert.deepEqual(pairs(withContentLength(['Host', 'h', 'content-length', '7', 'Transfer-Encoding', 'chunked', 'X-A', '1'], 12)), [['Host', 'h'], ['X-A', '1'], ['Content-Length', '12']]);
  });
});
