import * as assert from 'node:assert/strict';
import { bufferedLines } from '../../src/runtime/lineBuffer';

describe('the runtime access-log buffer', () => {
  it('writes the lines of one event-loop turn in one call, in order', async () => {
    const writes: string[] = [];
    const log = bufferedLines((text) => writes.push(text));
    log.add('a');
    log.add('b');
    log.add('c');
    assert.deepEqual(writes, [], 'nothing is written during the turn');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(writes, ['a\nb\nc\n']);
    log.add('d');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(writes, ['a\nb\nc\n', 'd\n']);
  });

  it('flush writes what is pending at once (on shutdown), and nothing when nothing is', () => {
    const writes: string[] = [];
    const log = bufferedLines((text) => writes.push(text));
    log.flush();
    log.add('last');
    log.flush();
    assert.deepEqual(writes, ['last\n']);
  });
});
