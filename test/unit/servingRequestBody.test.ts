import * as assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { OipError } from '../../src/core/oip/oipTypes';
import { readRequestBody } from '../../src/runtime/requestBody';

/** A request stream with `headers` that delivers `chunks` one by one, then ends (or fails with `error`). */
function fakeRequest(headers: Record<string, string>, chunks: Buffer[], error?: Error): IncomingMessage {
  const stream = new PassThrough();
  Object.assign(stream, { headers });
  setImmediate(() => {
    for (const chunk of chunks) stream.write(chunk);
    if (error) stream.destroy(error);
    else stream.end();
  });
  return stream as unknown as IncomingMessage;
}

/** Every call of the body reader's callback, once the stream is done with. */
async function read(request: IncomingMessage, limit: number): Promise<{ error: Error | undefined; body: Buffer }[]> {
  const calls: { error: Error | undefined; body: Buffer }[] = [];
  readRequestBody(request, { maxBytes: limit, timeoutMs: 5000 }, (error, body) => calls.push({ error, body }));
  await new Promise((resolve) => request.on('close', resolve));
  await new Promise((resolve) => setImmediate(resolve));
  return calls;
}

const bytes = (length: number, seed: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed) % 256));

describe('the serving runtime reading a request body', () => {
  it('gives a body that came in one chunk as that chunk', async () => {
    const chunk = bytes(100, 1);
    const [call, ...more] = await read(fakeRequest({ 'content-length': '100' }, [chunk]), 1000);
    assert.equal(more.length, 0);
    assert.equal(call.error, undefined);
    assert.equal(call.body, chunk, 'the same Buffer, not a copy');
  });

  it('joins the chunks of a body with a Content-Length into one Buffer of that length', async () => {
    const chunks = [bytes(10, 1), bytes(300, 2), bytes(7, 3)];
    const [call] = await read(fakeRequest({ 'content-length': '317' }, chunks), 1000);
    assert.deepEqual(call.body, Buffer.concat(chunks));
    assert.equal(call.body.length, 317);
  });

  it('joins a chunked body without a Content-Length, however many chunks it has', async () => {
    const chunks = Array.from({ length: 40 }, (_, i) => bytes(1 + i * 3, i));
    const [call] = await read(fakeRequest({ 'transfer-encoding': 'chunked' }, chunks), 1 << 20);
    assert.deepEqual(call.body, Buffer.concat(chunks));
  });

  it('keeps every byte when the body is longer than its Content-Length said', async () => {
    const chunks = [bytes(50, 1), bytes(80, 2), bytes(90, 3)];
    const [call] = await read(fakeRequest({ 'content-length': '60' }, chunks), 1000);
    assert.deepEqual(call.body, Buffer.concat(chunks));
  });

  it('gives the bytes that came when the body is shorter than its Content-Length said', async () => {
    const chunks = [bytes(20, 1), bytes(30, 2)];
    const [call] = await read(fakeRequest({ 'content-length': '500' }, chunks), 1000);
    assert.deepEqual(call.body, Buffer.concat(chunks));
  });

  it('answers 413 once the bytes pass the limit, once, and reads the rest away', async () => {
    const request = fakeRequest({}, [bytes(60, 1), bytes(60, 2), bytes(60, 3)]);
    const calls = await read(request, 100);
    assert.equal(calls.length, 1);
    assert.ok(calls[0].error instanceof OipError);
    assert.equal((calls[0].error as OipError).status, 413);
    assert.match(calls[0].error.message, /over the limit of 100 bytes/);
    assert.equal(request.readableEnded, true, 'the rest of the body is drained');
  });

  it('reads an over-limit body to its end before the 413, so that a client writing it all can read the answer', async () => {
    const request = fakeRequest({}, [bytes(60, 1), bytes(60, 2), bytes(60, 3)]);
    let endedBefore413: boolean | undefined;
    readRequestBody(request, { maxBytes: 100, timeoutMs: 5000 }, () => (endedBefore413 = request.readableEnded));
    await new Promise((resolve) => request.on('close', resolve));
    assert.equal(endedBefore413, true);
  });

  it('answers 413 without waiting for the end once the dropped bytes pass four times the limit', async () => {
    const request = fakeRequest({}, Array.from({ length: 6 }, (_, i) => bytes(100, i)));
    let endedBefore413: boolean | undefined;
    readRequestBody(request, { maxBytes: 100, timeoutMs: 5000 }, (error) => {
      assert.equal((error as OipError).status, 413);
      endedBefore413 = request.readableEnded;
    });
    await new Promise((resolve) => request.on('close', resolve));
    assert.equal(endedBefore413, false);
  });

  it('answers 408 when the body has not ended by the deadline, and nothing after', async () => {
    const request = new PassThrough();
    Object.assign(request, { headers: { 'content-length': '100' } });
    request.write(bytes(10, 1));
    const calls: (Error | undefined)[] = [];
    readRequestBody(request as unknown as IncomingMessage, { maxBytes: 1000, timeoutMs: 50 }, (error) => calls.push(error));
    await new Promise((resolve) => setTimeout(resolve, 120));
    request.end(bytes(90, 2));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(calls.length, 1);
    assert.equal((calls[0] as OipError).status, 408);
    assert.match(calls[0]!.message, /did not arrive within 0\.05 s/);
  });

  it('takes a body of exactly the limit', async () => {
    const [call] = await read(fakeRequest({ 'content-length': '100' }, [bytes(40, 1), bytes(60, 2)]), 100);
    assert.equal(call.error, undefined);
    assert.equal(call.body.length, 100);
  });

  it('passes on an error of the stream, once', async () => {
    const calls = await read(fakeRequest({ 'content-length': '100' }, [bytes(10, 1)], new Error('socket hang up')), 1000);
    assert.equal(calls.length, 1);
    assert.equal(calls[0].error?.message, 'socket hang up');
  });
});
