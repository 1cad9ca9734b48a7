import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { UserError } from '../../src/core/errors';
import { CsvScanner, CsvSyntaxError, MAX_FIELD_BYTES, MAX_LINE_BYTES } from '../../src/core/validation/csvScanner';
import { openDataset } from '../../src/core/validation/dataReader';
import { makeProject } from '../support/projectFixture';

/** Pushes `bytes` in chunks of `chunkSize`; returns how long the scan took, in ms. */
function scanTimed(bytes: Buffer, chunkSize: number): number {
  const started = performance.now();
  const scanner = new CsvScanner(() => undefined);
  for (let i = 0; i < bytes.length; i += chunkSize) scanner.push(bytes.subarray(i, i + chunkSize));
  scanner.end();
  return performance.now() - started;
}

async function readError(file: string): Promise<UserError> {
  try {
    const dataset = await openDataset({ file, target: 'label' });
    for await (const batch of dataset.batches) void batch;
  } catch (error) {
    assert.ok(error instanceof UserError, `a UserError, got ${String(error)}`);
    return error;
  }
  assert.fail('the data was accepted');
}

describe('CSV data that would make validation slow or garble its errors', function () {
  // A linear scan of these inputs takes well under a second; rescanning the pending record for each
  // 64 KB chunk, as a quadratic scan does, takes minutes.
  this.timeout(20_000);
  const LINEAR_BOUND_MS = 8_000;

  it('stops an unclosed quote at the field cap with its line, reading each byte once', () => {
    const bytes = Buffer.alloc(MAX_FIELD_BYTES + (4 << 20), 'x,1\n');
    bytes.write('a,label\n1,"open', 0);
    let elapsed = 0;
    assert.throws(
      () => (elapsed = scanTimed(bytes, 64 * 1024)),
      (e: unknown) => e instanceof CsvSyntaxError && e.line === 2 && /quote is probably never closed/.test(e.message),
    );
    assert.ok(elapsed < LINEAR_BOUND_MS, `${elapsed} ms`);
  });

  it('stops a line longer than the line cap with its line, reading each byte once', () => {
    const bytes = Buffer.alloc(MAX_LINE_BYTES + (1 << 20), 'ab,');
    let thrown: unknown;
    const started = performance.now();
    try {
      scanTimed(bytes, 64 * 1024);
    } catch (error) {
      thrown = error;
    }
    const elapsed = performance.now() - started;
    assert.ok(thrown instanceof CsvSyntaxError && thrown.line === 1 && /a line is longer than 64 MB/.test(thrown.message), String(thrown));
    assert.ok(elapsed < LINEAR_BOUND_MS, `${elapsed} ms`);
  });

  describe('read from files', () => {
    let project: { dir: string; cleanup: () => void };
    const unclosed = Buffer.alloc(MAX_FIELD_BYTES + (2 << 20), '1,2\n');
    unclosed.write('a,label\n1,"2\n', 0);
    before(() => {
      project = makeProject({
        'unclosed.csv': unclosed,
        'infinity.csv': 'a,label\n1,x\nInfinity,y\n',
        'negative-infinity.csv': 'a,label\n1,x\n-Infinity,y\n',
        'nan.csv': 'a,label\nNaN,x\n',
        'hex.csv': 'a,label\n1,x\n0x10,y\n',
        'overflow.csv': 'a,label\n1e400,x\n',
        'gzipped.csv': gzipSync(Buffer.from('a,label\n1,x\n')),
        'binary.csv': Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x31, 0x0a]),
        'good.csv': 'a,label\n1e3,x\n-.5,y\n+2,z\n',
        'overflow.jsonl': '{"a": 1, "label": "x"}\n{"a": 1e400, "label": "y"}\n',
      });
    });
    after(() => project.cleanup());
    const file = (name: string) => path.join(project.dir, name);

    it('reports an unclosed quote in a large file as a UserError on its line', async () => {
      const error = await readError(file('unclosed.csv'));
      assert.equal(error.location?.line, 2);
      assert.match(error.message, /^CSV: a quoted field runs on for more than 16 MB: its quote is probably never closed$/);
      assert.match(error.hint ?? '', /close the quote/);
    });

    for (const [name, line, message] of [
      ['infinity.csv', 3, /value "Infinity" in feature column "a" is not a finite number/],
      ['negative-infinity.csv', 3, /value "-Infinity" in feature column "a" is not a finite number/],
      ['nan.csv', 2, /value "NaN" in feature column "a" is not a finite number/],
      ['hex.csv', 3, /value "0x10" in feature column "a" is not a decimal number/],
      ['overflow.csv', 2, /value "1e400" in feature column "a" is too large/],
    ] as const) {
      it(`refuses ${name.replace('.csv', '')} as a feature value, as JSONL does, with the line`, async () => {
        const error = await readError(file(name));
        assert.match(error.message, message);
        assert.equal(error.location?.file, file(name));
        assert.equal(error.location?.line, line);
      });
    }

    it('names an overflowing JSONL number as not finite, rather than as null', async () => {
      const error = await readError(file('overflow.jsonl'));
      assert.match(error.message, /value "Infinity" in feature column "a" is not a finite number/);
      assert.equal(error.location?.line, 2);
    });

    it('still reads decimals with exponents, signs and bare points', async () => {
      const dataset = await openDataset({ file: file('good.csv'), target: 'label' });
      const values: number[] = [];
      for await (const batch of dataset.batches) values.push(...batch.features.subarray(0, batch.count));
      assert.deepEqual(values, [1000, -0.5, 2]);
    });

    for (const [name, hint] of [
      ['gzipped.csv', /gzip data: name it \.csv\.gz/],
      ['binary.csv', /compressed, or not CSV/],
    ] as const) {
      it(`describes a binary header (${name}) in a short printable message`, async () => {
        const error = await readError(file(name));
        assert.match(error.message, /^the header is not text: its \d+ bytes include bytes that are not UTF-8 text$/);
        assert.match(error.hint ?? '', hint);
        assert.equal(error.location?.line, 1);
      });
    }
  });
});
