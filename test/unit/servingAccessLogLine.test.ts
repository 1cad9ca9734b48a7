import * as assert from 'node:assert/strict';
import { writeAccessLogLine } from '../../src/runtime/accessLogLine';
import { LineBuffer } from '../../src/runtime/lineBuffer';

/** The line writeAccessLogLine writes for these arguments, as text. */
function lineOf(...answered: [string | undefined, string, number, number, number]): string {
  let text = '';
  const lines = new LineBuffer((bytes) => (text += Buffer.from(bytes).toString('utf8')));
  writeAccessLogLine(lines, ...answered);
  lines.flush();
  assert.ok(text.endsWith('\n'), 'one whole line');
  return text.slice(0, -1);
}

describe('the serving runtime access-log line', () => {
  it('is the JSON of { time, method, path, status, ms, bytes }, whatever the path holds', () => {
    for (const path of ['/v2/models/iris/infer', '/a "quoted"\\path', '/ünï\u0001', '']) {
      const before = Date.now();
      const line = lineOf('POST', path, 413, 12.3, 4096);
      const parsed = JSON.parse(line) as { time: string };
      assert.equal(line, JSON.stringify({ time: parsed.time, method: 'POST', path, status: 413, ms: 12.3, bytes: 4096 }));
      const time = Date.parse(parsed.time);
      assert.ok(time >= before && time <= Date.now(), `${parsed.time} is the time the line was made`);
    }
  });

  it('leaves out a method that is not there, as JSON.stringify does', () => {
    const line = lineOf(undefined, '/', 400, 0, 0);
    assert.equal(line, JSON.stringify({ time: (JSON.parse(line) as { time: string }).time, path: '/', status: 400, ms: 0, bytes: 0 }));
  });

  it('keeps each line its own method, path, status and numbers when many end in the same millisecond', () => {
    let text = '';
    const lines = new LineBuffer((bytes) => (text += Buffer.from(bytes).toString('utf8')));
    const answered: [string | undefined, string, number, number, number][] = [];
    for (let i = 0; i < 3000; i++) {
      // Each line differs from the one before in one field: the status, the method, the path, no method, then all.
      const [method, path, status] = (
        [
          ['POST', '/v2/models/iris/infer', 200],
          ['POST', '/v2/models/iris/infer', 400],
          ['GET', '/v2/models/iris/infer', 400],
          ['GET', '/v2/models/mnist/infer', 400],
          [undefined, '/v2/models/mnist/infer', 400],
        ] as const
      )[i % 5];
      answered.push([method, path, status, (i % 1234) / 10, i * 13]);
      writeAccessLogLine(lines, ...answered[answered.length - 1]);
    }
    lines.flush();
    const written = text.split('\n').slice(0, -1);
    assert.equal(written.length, answered.length);
    written.forEach((line, i) => {
      const [method, path, status, ms, bytes] = answered[i];
      assert.equal(line, JSON.stringify({ time: (JSON.parse(line) as { time: string }).time, method, path, status, ms, bytes }), `line ${i}`);
    });
    assert.ok(new Set(written.map((line) => (JSON.parse(line) as { time: string }).time)).size < written.length, 'lines shared a millisecond');
  });

  it('gives a line written a millisecond later than the one before, for the same request, its own time', async () => {
    const first = JSON.parse(lineOf('POST', '/v2/models/iris/infer', 200, 1, 1)) as { time: string };
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = JSON.parse(lineOf('POST', '/v2/models/iris/infer', 200, 1, 1)) as { time: string };
    assert.ok(Date.parse(second.time) > Date.parse(first.time), `${second.time} is after ${first.time}`);
  });
});
