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
});
