import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { getPriority } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { UserError } from '../../src/core/errors';
import { openBatchesInThread, READER_NICE_STEPS, receiveBatches, startReader } from '../../src/core/validation/dataBatches';
import { FIRST_BATCH_ROWS, openDataset, type DataSpec } from '../../src/core/validation/dataReader';
import { makeProject, SHARED_DATA } from '../support/projectFixture';

/** Each of this process's threads and its nice value, from /proc (Linux). */
function threadNiceValues(): Map<number, number> {
  const values = new Map<number, number>();
  for (const thread of fs.readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/self/task/${thread}/stat`, 'utf8');
    } catch {
      continue; // a thread that ended since the folder was listed (another test's worker finishing)
    }
    // The fields after the command's closing parenthesis start at the third; nice is the nineteenth.
    values.set(Number(thread), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return values;
}

async function readAll(spec: DataSpec) {
  const dataset = await openDataset(spec);
  const rows: { line: number; features: number[]; target: string }[] = [];
  for await (const batch of dataset.batches) {
    const width = dataset.features.length;
    for (let r = 0; r < batch.count; r++) rows.push({ line: batch.lines[r], features: Array.from(batch.features.subarray(r * width, (r + 1) * width)), target: batch.targets[r] });
  }
  return { ...dataset, rows };
}

describe('the validation data reader', () => {
  let project: { dir: string; cleanup: () => void };
  const file = (name: string) => path.join(project.dir, name);
  before(() => {
    const csv = 'a,b,label\n1,2,x\n3.5,-4,y\n\n5,6e1,x\n';
    project = makeProject({
      'good.csv': csv,
      'good.csv.gz': gzipSync(csv),
      'good.jsonl': '{"a":1,"b":2,"label":"x"}\n{"a":3.5,"b":-4,"label":"y"}\n\n{"a":5,"b":60,"label":"x"}\n',
      'crlf.csv': 'a,b,label\r\n1,2,x\r\n',
      'empty.csv': '',
      'header-only.csv': 'a,b,label\n',
      'ragged.csv': 'a,b,label\n1,2,x\n3,y\n',
      'text.csv': 'a,b,label\n1,2,x\n3,abc,y\n',
      'text.csv.gz': gzipSync('a,b,label\n1,2,x\n3,abc,y\n'),
      'multiline-header.csv': '"a\nb",c,label\n1,2,x\n',
      'late-bad-row.csv': `a,b,label\n${'1,2,x\n'.repeat(20_000)}1,bad,x\n`,
      'blank-value.csv': 'a,b,label\n1,,x\n',
      'no-target.csv': 'a,b,labl\n1,2,x\n',
      'no-label-value.csv': 'a,b,label\n1,2,\n',
      'duplicate.csv': 'a,a,label\n1,2,x\n',
      'quote.csv': 'a,b,label\n1,2,"x\n',
      'bad.jsonl': '{"a":1,"b":2,"label":"x"}\n{"a":1,"b":2,\n',
      'missing.jsonl': '{"a":1,"b":2,"label":"x"}\n{"a":1,"label":"x"}\n',
      'corrupt.csv.gz': 'this is not gzip',
      'data.txt': 'a,b\n',
    });
  });
  after(() => project.cleanup());

  for (const name of ['good.csv', 'good.csv.gz', 'good.jsonl']) {
    it(`reads ${name}: features in order, targets as text, line numbers, blank lines skipped`, async () => {
      const data = await readAll({ file: file(name), target: 'label' });
      assert.deepEqual(data.features, ['a', 'b']);
      const header = name.endsWith('.jsonl') ? 0 : 1; // JSON lines have no header line
      assert.deepEqual(
        data.rows.map((r) => [r.line, ...r.features, r.target]),
        [
          [1 + header, 1, 2, 'x'],
          [2 + header, 3.5, -4, 'y'],
          [4 + header, 5, 60, 'x'],
        ],
      );
    });
  }

  it('takes the configured feature columns in the configured order, and scales them', async () => {
    const data = await readAll({ file: file('good.csv'), target: 'label', features: ['b', 'a'], scale: 0.5 });
    assert.deepEqual(data.rows[0].features, [1, 0.5]);
  });

  it('reads CRLF files', async () => {
    const data = await readAll({ file: file('crlf.csv'), target: 'label' });
    assert.deepEqual(data.rows, [{ line: 2, features: [1, 2], target: 'x' }]);
  });

  it('batches rows and refills reused arrays correctly', async () => {
    const data = await readAll({ file: path.join(SHARED_DATA, 'mnist', 'mnist_test.csv.gz'), target: 'label', batchRows: 100 });
    assert.equal(data.features.length, 784);
    assert.equal(data.rows.length, 10_000);
    assert.equal(data.rows[0].target, '7', 'the first MNIST test digit is a 7');
    assert.equal(data.rows[9_999].line, 10_001);
  });

  for (const name of ['text.csv', 'text.csv.gz']) {
    it(`hands out the header before it parses the rows read with it (${name}): a bad row there fails the batches, not the opening`, async () => {
      const dataset = await openDataset({ file: file(name), target: 'label' });
      assert.deepEqual(dataset.features, ['a', 'b']);
      await assert.rejects(
        (async () => {
          for await (const batch of dataset.batches) assert.ok(batch);
        })(),
        (error: unknown) => error instanceof UserError && /non-numeric value "abc"/.test(error.message) && error.location?.line === 3,
      );
    });
  }

  it('hands out a small first batch, then full ones, as their rows are parsed: a bad row further on fails only when it is reached', async () => {
    const dataset = await openDataset({ file: file('late-bad-row.csv'), target: 'label', batchRows: 100 });
    const batches = dataset.batches[Symbol.asyncIterator]();
    const sizes: number[] = [];
    await assert.rejects(
      (async () => {
        for (let next = await batches.next(); !next.done; next = await batches.next()) sizes.push(next.value.count);
      })(),
      (error: unknown) => error instanceof UserError && /non-numeric value "bad"/.test(error.message) && error.location?.line === 20_002,
    );
    // The bad row is past the first piece of the file's one chunk: the batches before it came out first.
    assert.deepEqual(sizes.slice(0, 2), [FIRST_BATCH_ROWS, 100]);
    assert.ok(sizes.length > 2);
  });

  it('reads a header whose quoted name runs over two lines, and the rows after it', async () => {
    const data = await readAll({ file: file('multiline-header.csv'), target: 'label' });
    assert.deepEqual(data.features, ['a\nb', 'c']);
    assert.deepEqual(data.rows, [{ line: 3, features: [1, 2], target: 'x' }]);
  });

  it('gives an empty stream for a header with no rows', async () => {
    const data = await readAll({ file: file('header-only.csv'), target: 'label' });
    assert.equal(data.rows.length, 0);
  });

  const failures: { title: string; name: string; spec?: Partial<DataSpec>; message: RegExp; line?: number; hint?: RegExp }[] = [
    { title: 'a missing file', name: 'nope.csv', message: /does not exist/ },
    { title: 'an empty file', name: 'empty.csv', message: /the data file is empty/, hint: /header/ },
    { title: 'a ragged row', name: 'ragged.csv', message: /row has 2 fields but the header has 3/, line: 3 },
    { title: 'a non-numeric value', name: 'text.csv', message: /non-numeric value "abc" in feature column "b"/, line: 3 },
    { title: 'an empty feature value', name: 'blank-value.csv', message: /empty value in feature column "b"/, line: 2 },
    { title: 'a missing target column', name: 'no-target.csv', message: /the target column "label" is not in the data/, line: 1, hint: /did you mean "labl"/ },
    { title: 'an empty target value', name: 'no-label-value.csv', message: /empty value in the target column "label"/, line: 2 },
    { title: 'a configured feature that does not exist', name: 'good.csv', spec: { features: ['a', 'c'] }, message: /the feature column "c" is not in the data/, line: 1 },
    { title: 'the wrong number of features for the target', name: 'good.csv', spec: { features: ['a', 'label'] }, message: /target column "label" is also listed as a feature/ },
    { title: 'a duplicate column name', name: 'duplicate.csv', message: /names column "a" twice/, line: 1 },
    { title: 'an unclosed quote', name: 'quote.csv', message: /quoted field is never closed/, line: 2 },
    { title: 'invalid JSON on a line', name: 'bad.jsonl', message: /invalid JSON/, line: 2 },
    { title: 'a JSON line without a feature', name: 'missing.jsonl', message: /the object has no "b"/, line: 2 },
    { title: 'a corrupt gzip file', name: 'corrupt.csv.gz', message: /not valid gzip data/ },
    { title: 'an unsupported file type', name: 'data.txt', message: /unsupported data file type/ },
  ];
  for (const f of failures) {
    it(`reports ${f.title} with the file${f.line ? ' and line' : ''}`, async () => {
      await assert.rejects(readAll({ file: file(f.name), target: 'label', ...f.spec }), (error: unknown) => {
        assert.ok(error instanceof UserError, `a UserError, got ${String(error)}`);
        assert.match(error.message, f.message);
        assert.equal(error.location?.file, file(f.name));
        if (f.line !== undefined) assert.equal(error.location?.line, f.line);
        if (f.hint) assert.match(error.hint ?? '', f.hint);
        return true;
      });
    });
  }
});

describe('the data reader thread', () => {
  const mnist = { file: path.join(SHARED_DATA, 'mnist', 'mnist_test.csv.gz'), target: 'label' };

  it('hands over every row in order, and its port may be read from wherever it was passed', async () => {
    const stream = await openBatchesInThread(mnist);
    let rows = 0;
    let lastLine = 0;
    for await (const batch of stream.batches) {
      assert.ok(batch.lines[0] > lastLine);
      lastLine = batch.lines[batch.count - 1];
      rows += batch.count;
    }
    await stream.close();
    assert.equal(rows, 10_000);
    assert.equal(lastLine, 10_001);
  });

  it('runs ten steps below the priority of the threads that score once it has sent the header they wait for, on Linux where each thread has its own', async function () {
    if (process.platform !== 'linux') this.skip(); // elsewhere a thread has no priority of its own to lower
    const before = threadNiceValues();
    const reader = startReader(mnist);
    // It lowers itself once it has sent the header, before its first batch.
    const stream = await receiveBatches(reader.port);
    await stream.batches[Symbol.asyncIterator]().next();
    const started = [...threadNiceValues()].filter(([thread]) => !before.has(thread)).map(([, nice]) => nice);
    await stream.close();
    await reader.stop();
    assert.ok(started.includes(Math.min(19, getPriority() + READER_NICE_STEPS)), `the new threads' nice values are ${started.join(', ')}`);
    assert.equal(READER_NICE_STEPS, 10);
  });

  it('reports a thread that stops before the end of the data as an error, not a wait for ever', async () => {
    const reader = startReader(mnist);
    const stream = await receiveBatches(reader.port);
    let rows = 0;
    await assert.rejects(
      (async () => {
        for await (const batch of stream.batches) {
          rows += batch.count;
          if (rows === batch.count) await reader.stop();
        }
      })(),
      /the data reader thread stopped before the end of the data/,
    );
    assert.ok(rows < 10_000);
  });

  it('passes on a reading error with its file', async () => {
    await assert.rejects(openBatchesInThread({ ...mnist, file: path.join(SHARED_DATA, 'nope.csv') }), (error: unknown) => error instanceof UserError && /does not exist/.test(error.message));
  });
});
