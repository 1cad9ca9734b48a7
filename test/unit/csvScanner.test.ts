import * as assert from 'node:assert/strict';
import { CsvScanner, CsvSyntaxError, type CsvRecord } from '../../src/core/validation/csvScanner';

/** Scans `text` cut into chunks of `chunkSize` bytes; returns each record's fields and line. */
function scan(text: string, chunkSize = 1 << 20): { line: number; fields: string[]; numbers: number[] }[] {
  const records: { line: number; fields: string[]; numbers: number[] }[] = [];
  const scanner = new CsvScanner((r: CsvRecord) => {
    const fields = Array.from({ length: r.count }, (_, i) => r.text(i));
    records.push({ line: r.line, fields, numbers: fields.map((_, i) => r.number(i)) });
  });
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunkSize) scanner.push(bytes.subarray(i, i + chunkSize));
  scanner.end();
  return records;
}

describe('CsvScanner', () => {
  it('splits records and fields, with and without a final newline', () => {
    assert.deepEqual(
      scan('a,b\n1,2\n3,4').map((r) => r.fields),
      [
        ['a', 'b'],
        ['1', '2'],
        ['3', '4'],
      ],
    );
    assert.deepEqual(
      scan('a,b\n1,2\n').map((r) => r.fields),
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    );
  });

  it('handles CRLF, quoted fields, escaped quotes and newlines inside quotes, keeping line numbers', () => {
    const records = scan('name,note\r\n"Smith, J","said ""hi"""\r\n"multi\nline",x\r\n\r\nlast,y\r\n');
    assert.deepEqual(
      records.map((r) => [r.line, ...r.fields]),
      [
        [1, 'name', 'note'],
        [2, 'Smith, J', 'said "hi"'],
        [3, 'multi\nline', 'x'],
        [6, 'last', 'y'],
      ],
    );
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const text = 'h1,h2,h3\r\n1.5,"q,""x""",-2\r\n"a\nb",3e2,\r\n7,8,9';
    const whole = scan(text);
    for (let size = 1; size <= 7; size++) assert.deepEqual(scan(text, size), whole, `chunk size ${size}`);
  });

  it('reads fields that start with digits as Number() does, wherever a chunk cuts them', () => {
    const values = ['0', '7', '007', '255', '123456789012345', '1234567890123456', '99999999999999999999', '12.5', '3e2', '12a', '4 ', '5\t', '6"x"', '0x1f'];
    const text = `${values.join(',')},8\r\n${values.join(',')}\n9`;
    const whole = scan(text);
    whole[0].fields.slice(0, values.length).forEach((field, i) => {
      assert.equal(field, values[i]);
      const expected = /^\d+(?:\.\d+)?(?:e\d+)?\s*$/.test(values[i]) ? Number(values[i]) : NaN;
      assert.ok(Object.is(whole[0].numbers[i], expected), `${values[i]}: ${whole[0].numbers[i]}, not ${expected}`);
    });
    assert.deepEqual(whole[1].fields, values);
    for (let size = 1; size <= 9; size++) assert.deepEqual(scan(text, size), whole, `chunk size ${size}`);
  });

  it('reads numbers exactly as Number() does', () => {
    const values = ['0', '-0', '17', '+3', '0.1', '-2.5', '3.14159265358979', '1e-7', '6.02E23', '123456789012345678', '0.30000000000000004', '255', ' 4 ', '.5', '5.'];
    const [record] = scan(values.join(','));
    values.forEach((text, i) => assert.ok(Object.is(record.numbers[i], Number(text)), `${text}: ${record.numbers[i]} vs ${Number(text)}`));
  });

  it('reads only decimal numbers, as JSON writes them: not hex, binary, Infinity, NaN or overflow', () => {
    const [record] = scan('0x10,0b1,0o7,Infinity,-Infinity,NaN,1e400, ,1_0,"12"');
    assert.deepEqual(record.numbers.map(Number.isNaN), [true, true, true, true, true, true, true, true, true, false]);
  });

  it('reads non-numbers and empty fields as NaN', () => {
    const [record] = scan('abc,,1.2.3,--1,"7"');
    assert.deepEqual(record.numbers.slice(0, 4).map(Number.isNaN), [true, true, true, true]);
    assert.equal(record.numbers[4], 7, 'a quoted number is still a number');
  });

  it('reports an unclosed quote and text after a closing quote with the line', () => {
    assert.throws(() => scan('a,b\n1,"open\n2,3\n'), (e: unknown) => e instanceof CsvSyntaxError && e.line === 2 && /never closed/.test(e.message));
    assert.throws(() => scan('a,b\n1,2\n"x"y,3\n'), (e: unknown) => e instanceof CsvSyntaxError && e.line === 3 && /after a closing quote/.test(e.message));
  });
});
