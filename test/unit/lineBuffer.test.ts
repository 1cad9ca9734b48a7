import * as assert from 'node:assert/strict';
import { LineBuffer } from '../../src/runtime/lineBuffer';

/** A line buffer and the text of each write it made (copied: the buffer is written over after). */
function collected(): { lines: LineBuffer; writes: string[] } {
  const writes: string[] = [];
  return { lines: new LineBuffer((bytes) => writes.push(Buffer.from(bytes).toString('utf8'))), writes };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('the runtime log-line buffer', () => {
  it('writes the lines of one event-loop turn in one call, in order', async () => {
    const { lines, writes } = collected();
    lines.add('a');
    lines.add('b');
    lines.add('c');
    assert.deepEqual(writes, [], 'nothing is written during the turn');
    await nextTurn();
    assert.deepEqual(writes, ['a\nb\nc\n']);
    lines.add('d');
    await nextTurn();
    assert.deepEqual(writes, ['a\nb\nc\n', 'd\n']);
  });

  it('flush writes what is pending at once (on shutdown), and nothing when nothing is', () => {
    const { lines, writes } = collected();
    lines.flush();
    lines.add('last');
    lines.flush();
    assert.deepEqual(writes, ['last\n']);
  });

  it('writes strings and numbers as JSON.stringify does, escapes and other scripts included', () => {
    const { lines, writes } = collected();
    const strings = ['plain', 'a "quoted" \\ path', 'tab\tand\u0001', 'ünïcode 中文 😀', '\ud800 lone', ''];
    const numbers = [0, -0, 200, 12.3, 1e21, 1e-7, NaN, Infinity];
    for (const text of strings) {
      lines.jsonString(text);
      lines.endLine();
    }
    for (const value of numbers) {
      lines.number(value);
      lines.endLine();
    }
    lines.text('é as it is');
    lines.endLine();
    lines.flush();
    assert.deepEqual(writes, [`${[...strings.map((s) => JSON.stringify(s)), ...numbers.map((n) => JSON.stringify(n)), 'é as it is'].join('\n')}\n`]);
  });

  it('grows for a turn of more lines than it holds and keeps every byte, in order', async () => {
    const { lines, writes } = collected();
    const long = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)} ü`);
    for (const line of long) lines.add(line);
    lines.jsonString('y'.repeat(40_000));
    lines.endLine();
    await nextTurn();
    assert.equal(writes.length, 1);
    assert.equal(writes[0], `${[...long, JSON.stringify('y'.repeat(40_000))].join('\n')}\n`);
  });
});
