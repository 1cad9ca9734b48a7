import * as assert from 'node:assert/strict';
import { LineBuffer } from '../../src/runtime/lineBuffer';
import { seededNumbers } from '../support/seededNumbers';

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

  it('writes numbers as JSON.stringify does, and text and bytes as they are', () => {
    const { lines, writes } = collected();
    const numbers = [0, -0, 200, -17, 2 ** 31, -(2 ** 31), 2 ** 53, 1e21, 12.3, 0.1, 0.5, 999.9, 214748364.7, 214748364.8, -12.3, 0.30000000000000004, 12.34, 1e-7, NaN, Infinity, -Infinity];
    for (const value of numbers) {
      lines.number(value);
      lines.endLine();
    }
    lines.text('é as it is');
    lines.copy(Buffer.from('ü as bytes'));
    lines.endLine();
    lines.flush();
    assert.deepEqual(writes, [`${[...numbers.map((n) => JSON.stringify(n)), 'é as it isü as bytes'].join('\n')}\n`]);
  });

  it('writes every tenth, as the access log rounds its milliseconds, and random doubles as JSON.stringify does', () => {
    const { lines, writes } = collected();
    const expected: string[] = [];
    const write = (value: number) => {
      lines.number(value);
      lines.endLine();
      expected.push(JSON.stringify(value));
    };
    for (let tenths = 0; tenths < 200_000; tenths++) write(tenths / 10);
    for (let tenths = 2 ** 31 - 1000; tenths < 2 ** 31 + 1000; tenths++) write(tenths / 10);
    const next = seededNumbers(7);
    for (let i = 0; i < 20_000; i++) {
      write((next() % 100_000_000) / 10);
    }
    const doubles = new Float64Array(1);
    const words = new Uint32Array(doubles.buffer);
    for (let i = 0; i < 20_000; i++) {
      words[0] = next();
      words[1] = next();
      write(doubles[0]);
    }
    lines.flush();
    assert.equal(writes.join(''), `${expected.join('\n')}\n`);
  });

  it('grows for a turn of more lines than it holds and keeps every byte, in order', async () => {
    const { lines, writes } = collected();
    const long = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)} ü`);
    for (const line of long) lines.add(line);
    lines.copy(Buffer.from('y'.repeat(40_000)));
    lines.endLine();
    await nextTurn();
    assert.equal(writes.length, 1);
    assert.equal(writes[0], `${[...long, 'y'.repeat(40_000)].join('\n')}\n`);
  });
});
