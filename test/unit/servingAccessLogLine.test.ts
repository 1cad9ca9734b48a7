import * as assert from 'node:assert/strict';
import { accessLogLine } from '../../src/runtime/accessLogLine';

describe('the serving runtime access-log line', () => {
  it('is the JSON of { time, method, path, status, ms, bytes }, whatever the path holds', () => {
    for (const path of ['/v2/models/iris/infer', '/a "quoted"\\path', '/ünï\u0001', '']) {
      const before = Date.now();
      const line = accessLogLine('POST', path, 413, 12.3, 4096);
      const parsed = JSON.parse(line) as { time: string };
      assert.equal(line, JSON.stringify({ time: parsed.time, method: 'POST', path, status: 413, ms: 12.3, bytes: 4096 }));
      const time = Date.parse(parsed.time);
      assert.ok(time >= before && time <= Date.now(), `${parsed.time} is the time the line was made`);
    }
  });

  it('leaves out a method that is not there, as JSON.stringify does', () => {
    const line = accessLogLine(undefined, '/', 400, 0, 0);
    assert.equal(line, JSON.stringify({ time: (JSON.parse(line) as { time: string }).time, path: '/', status: 400, ms: 0, bytes: 0 }));
  });
});
