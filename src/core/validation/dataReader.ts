import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as readline from 'node:readline';
import { isUtf8 } from 'node:buffer';
import { createGunzip } from 'node:zlib';
import { UserError } from '../errors';
import { didYouMean } from '../project/didYouMean';
import { CsvScanner, CsvSyntaxError, DECIMAL_NUMBER, type CsvRecord } from './csvScanner';

export interface DataSpec {
  /** Absolute path of the data file. */
  file: string;
  target: string;
  /** Feature columns in model input order; default: every column but the target. */
  features?: string[];
  /** Feature values are multiplied by this as they are read (default 1). */
  scale?: number;
  /** Rows per batch (default 256). */
  batchRows?: number;
}

/** Rows of a data set: features row-major, with each row's target and 1-based line in the file. */
export interface DataBatch {
  features: Float64Array;
  targets: string[];
  lines: Int32Array;
  count: number;
}

export interface Dataset {
  columns: string[];
  features: string[];
  batches: AsyncIterable<DataBatch>;
}

export const DEFAULT_BATCH_ROWS = 256;
/**
 * The first batch is this small, and a CSV chunk is parsed PIECE_BYTES at a time, so that scoring, which
 * waits for the first batch, starts once a few rows are parsed rather than a whole chunk of them.
 */
export const FIRST_BATCH_ROWS = 32;
const PIECE_BYTES = 64 * 1024;

/**
 * Batch arrays handed back by the consumer for reuse. Allocating a large typed array per batch makes V8
 * collect garbage for its external memory again and again; reusing a few costs nothing.
 */
export class BatchPool {
  private readonly free: { features: Float64Array; lines: Int32Array }[] = [];

  give(features: Float64Array, lines: Int32Array): void {
    this.free.push({ features, lines });
  }

  take(featureLength: number, rows: number): { features: Float64Array; lines: Int32Array } {
    const found = this.free.findIndex((b) => b.features.length === featureLength && b.lines.length === rows);
    return found >= 0 ? this.free.splice(found, 1)[0] : { features: new Float64Array(featureLength), lines: new Int32Array(rows) };
  }
}

/**
 * Fills batches row by row, straight from the parser, so no per-row arrays are made: a row's values go to
 * `features` from `offset` on, then endRow() completes it.
 */
class BatchBuilder {
  readonly done: DataBatch[] = [];
  features!: Float64Array;
  offset = 0;
  private batch!: DataBatch;

  constructor(
    private readonly width: number,
    private readonly rows: number,
    private readonly scale: number,
    private readonly pool: BatchPool,
  ) {
    this.start(Math.min(rows, FIRST_BATCH_ROWS));
  }

  endRow(target: string, line: number): void {
    const batch = this.batch;
    if (this.scale !== 1) for (let i = this.offset; i < this.offset + this.width; i++) this.features[i] *= this.scale;
    batch.targets.push(target);
    batch.lines[batch.count] = line;
    this.offset += this.width;
    if (++batch.count === batch.lines.length) {
      this.done.push(batch);
      this.start(this.rows);
    }
  }

  /** Moves the last, partly filled batch to `done`. */
  flush(): void {
    if (this.batch.count > 0) this.done.push(this.batch);
    this.start(this.rows);
  }

  private start(rows: number): void {
    const { features, lines } = this.pool.take(rows * this.width, rows);
    this.batch = { features, targets: [], lines, count: 0 };
    this.features = this.batch.features;
    this.offset = 0;
  }
}

async function* drain(builder: BatchBuilder, more: () => Promise<boolean>, close: () => void): AsyncGenerator<DataBatch> {
  try {
    for (;;) {
      while (builder.done.length) yield builder.done.shift()!;
      if (!(await more())) break;
    }
    builder.flush();
    while (builder.done.length) yield builder.done.shift()!;
  } finally {
    close();
  }
}

const CHUNK_BYTES = 1 << 20;
const LINE_FEED = 0x0a;

/**
 * Opens a labelled data set (.csv, .csv.gz or .jsonl) as a stream of rows of numeric features and a
 * target. Every problem (missing file, bad header, ragged or non-numeric row) is a UserError with the
 * file and line.
 */
export async function openDataset(spec: DataSpec, pool = new BatchPool()): Promise<Dataset> {
  await checkReadable(spec.file);
  const lower = spec.file.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.csv.gz')) return openCsv(spec, lower.endsWith('.gz'), pool);
  if (lower.endsWith('.jsonl')) return openJsonl(spec, pool);
  throw new UserError('unsupported data file type', { file: spec.file }, 'use .csv, .csv.gz or .jsonl');
}

async function checkReadable(file: string): Promise<void> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new UserError('the data path is not a file', { file });
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError('the data file does not exist or cannot be read', { file }, 'check validation.data in modeldeploy.yaml');
  }
}

/** Which columns feed the model and which is the target, checked against the header. */
function selectColumns(spec: DataSpec, columns: string[], line: number): { featureIndex: number[]; targetIndex: number; features: string[] } {
  const where = { file: spec.file, line };
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column)) throw new UserError(`the header names column "${column}" twice`, where, 'give every column a unique name');
    seen.add(column);
  }
  const targetIndex = columns.indexOf(spec.target);
  if (targetIndex < 0) {
    const suggestion = didYouMean(spec.target, columns);
    throw new UserError(`the target column "${spec.target}" is not in the data`, where, `${suggestion ? `did you mean "${suggestion}"? ` : ''}the columns are ${preview(columns)}; set validation.target`);
  }
  const features = spec.features ?? columns.filter((c) => c !== spec.target);
  if (features.length === 0) throw new UserError('the data has no feature columns besides the target', where);
  const featureIndex = features.map((name) => {
    const index = columns.indexOf(name);
    if (index < 0) {
      const suggestion = didYouMean(name, columns);
      throw new UserError(`the feature column "${name}" is not in the data`, where, `${suggestion ? `did you mean "${suggestion}"? ` : ''}the columns are ${preview(columns)}; fix validation.features`);
    }
    if (index === targetIndex) throw new UserError(`the target column "${name}" is also listed as a feature`, where, 'remove it from validation.features');
    return index;
  });
  return { featureIndex, targetIndex, features };
}

function contiguousStart(indexes: number[]): number {
  return indexes.every((index, i) => index === indexes[0] + i) ? indexes[0] : -1;
}

function preview(columns: string[]): string {
  return columns.length > 12 ? `${columns.slice(0, 12).join(', ')}, ... (${columns.length} in all)` : columns.join(', ');
}

function badValue(spec: DataSpec, column: string, value: string, line: number): UserError {
  const where = { file: spec.file, line };
  const hint = 'features must be decimal numbers such as 3, -0.5 or 1e-3; fix the row or leave the column out of validation.features';
  const text = value.trim();
  if (text === '') return new UserError(`empty value in feature column "${column}"`, where, hint);
  const shown = printable(text.length > 40 ? `${text.slice(0, 40)}...` : text);
  // A JSON string comes with its own quotes.
  const quoted = /^".*"$/s.test(text) ? shown : `"${shown}"`;
  const why = whyNotANumber(text);
  return new UserError(why ? `value ${quoted} in feature column "${column}" ${why}` : `non-numeric value ${quoted} in feature column "${column}"`, where, hint);
}

/** Why a text that looks like a number is refused, for the forms Number() would have taken. */
function whyNotANumber(text: string): string | undefined {
  if (/^[+-]?(?:inf(?:inity)?|nan)$/i.test(text)) return 'is not a finite number';
  if (/^[+-]?0[xob]/i.test(text)) return 'is not a decimal number (hexadecimal, octal and binary are not read)';
  if (DECIMAL_NUMBER.test(text)) return 'is too large for a 64-bit float';
  return undefined;
}

/** Control characters and undecodable bytes shown as escapes, so a binary file cannot garble a message. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, (c) => (c === '\ufffd' ? '?' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/**
 * Refuses a header that is not text, as a compressed or binary file gives, with a short description
 * rather than its bytes.
 */
function checkHeaderIsText(spec: DataSpec, record: CsvRecord): void {
  const bytes = record.buffer.subarray(record.starts[0], record.ends[record.count - 1]);
  const binary = !isUtf8(bytes) || /[\u0000-\u0008\u000e-\u001f]/.test(bytes.toString('utf8'));
  if (!binary) return;
  const hint = spec.file.toLowerCase().endsWith('.gz')
    ? 'the file decompresses to something that is not CSV text'
    : bytes[0] === 0x1f && bytes[1] === 0x8b
      ? 'it looks like gzip data: name it .csv.gz'
      : 'is the file compressed, or not CSV? a gzip-compressed file must be named .csv.gz';
  throw new UserError(`the header is not text: its ${bytes.length} bytes include bytes that are not UTF-8 text`, { file: spec.file, line: record.line }, hint);
}

async function openCsv(spec: DataSpec, gzipped: boolean, pool: BatchPool): Promise<Dataset> {
  const raw = createReadStream(spec.file, { highWaterMark: CHUNK_BYTES });
  const source = gzipped ? raw.pipe(createGunzip({ chunkSize: CHUNK_BYTES })) : raw;
  if (gzipped) raw.on('error', (error) => source.destroy(error));
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let columns: string[] | undefined;
  let selection: ReturnType<typeof selectColumns> | undefined;
  let builder: BatchBuilder | undefined;
  // Where the features are adjacent columns in order (the usual layout), a row is copied in one go.
  let firstFeature = -1;

  const scanner = new CsvScanner((record: CsvRecord) => {
    if (!columns) {
      checkHeaderIsText(spec, record);
      columns = Array.from({ length: record.count }, (_, i) => record.text(i).trim());
      selection = selectColumns(spec, columns, record.line);
      builder = new BatchBuilder(selection.features.length, spec.batchRows ?? DEFAULT_BATCH_ROWS, spec.scale ?? 1, pool);
      firstFeature = contiguousStart(selection.featureIndex);
      return;
    }
    const { featureIndex, targetIndex, features } = selection!;
    if (record.count !== columns.length) {
      throw new UserError(`row has ${record.count} fields but the header has ${columns.length}`, { file: spec.file, line: record.line }, 'every row needs one value per column');
    }
    const out = builder!.features;
    const base = builder!.offset;
    if (firstFeature >= 0 && record.allParsed(firstFeature, features.length)) {
      out.set(record.values.subarray(firstFeature, firstFeature + features.length), base);
    } else {
      for (let i = 0; i < featureIndex.length; i++) {
        const value = record.number(featureIndex[i]);
        if (Number.isNaN(value)) throw badValue(spec, features[i], record.text(featureIndex[i]), record.line);
        out[base + i] = value;
      }
    }
    const target = record.text(targetIndex).trim();
    if (target === '') throw new UserError(`empty value in the target column "${spec.target}"`, { file: spec.file, line: record.line }, 'every row needs a label');
    builder!.endRow(target, record.line);
  });

  // A chunk is scanned a piece at a time, the rest held for the next pull, so that batches go out as
  // they fill rather than once the chunk is parsed (a chunk holds hundreds of rows); until the header is
  // read, the piece ends with the first line, so that the header goes out first. Scoring waits for both.
  let held: Buffer | undefined;
  const pull = async (): Promise<boolean> => {
    let next: IteratorResult<Buffer>;
    try {
      next = held ? { done: false, value: held } : await chunks.next();
      held = undefined;
    } catch (error) {
      throw readError(spec, error, gzipped);
    }
    try {
      if (next.done) scanner.end();
      else {
        const chunk = next.value;
        const pieceEnd = columns ? PIECE_BYTES : chunk.indexOf(LINE_FEED) + 1 || chunk.length;
        if (pieceEnd < chunk.length) held = chunk.subarray(pieceEnd);
        scanner.push(held ? chunk.subarray(0, pieceEnd) : chunk);
      }
    } catch (error) {
      throw error instanceof CsvSyntaxError ? new UserError(`CSV: ${error.message}`, { file: spec.file, line: error.line }, error.hint) : error;
    }
    return !next.done;
  };

  try {
    while (!columns && (await pull()));
  } catch (error) {
    source.destroy();
    throw error;
  }
  if (!columns) throw new UserError('the data file is empty', { file: spec.file }, 'the first line must be a header naming the columns');

  return { columns, features: selection!.features, batches: drain(builder!, pull, () => source.destroy()) };
}

function readError(spec: DataSpec, error: unknown, gzipped: boolean): UserError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (gzipped && code.startsWith('Z_')) return new UserError('the file is not valid gzip data (corrupt or not compressed)', { file: spec.file }, 'rename it to .csv if it is plain text, or compress it again');
  return new UserError(`cannot read the data file: ${(error as Error).message}`, { file: spec.file });
}

async function openJsonl(spec: DataSpec, pool: BatchPool): Promise<Dataset> {
  const stream = createReadStream(spec.file);
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity })[Symbol.asyncIterator]();
  let lineNumber = 0;
  const parse = (text: string): Record<string, unknown> => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new UserError(`invalid JSON: ${(error as Error).message}`, { file: spec.file, line: lineNumber }, 'each line must be one JSON object');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UserError('a line is not a JSON object', { file: spec.file, line: lineNumber }, 'each line must be one JSON object of column: value');
    return value as Record<string, unknown>;
  };
  const nextObject = async (): Promise<Record<string, unknown> | undefined> => {
    for (;;) {
      const next = await lines.next();
      if (next.done) return undefined;
      lineNumber++;
      if (next.value.trim() !== '') return parse(next.value);
    }
  };

  const first = await nextObject();
  if (!first) {
    stream.destroy();
    throw new UserError('the data file is empty', { file: spec.file }, 'write one JSON object per line');
  }
  const firstLine = lineNumber;
  const columns = Object.keys(first);
  const { features } = selectColumns(spec, columns, firstLine);

  const builder = new BatchBuilder(features.length, spec.batchRows ?? DEFAULT_BATCH_ROWS, spec.scale ?? 1, pool);
  const addRow = (object: Record<string, unknown>, line: number): void => {
    const out = builder.features;
    const base = builder.offset;
    features.forEach((name, i) => {
      const value = object[name];
      if (value === undefined) throw new UserError(`the object has no "${name}"`, { file: spec.file, line }, 'every line needs every feature');
      if (typeof value !== 'number' || !Number.isFinite(value)) throw badValue(spec, name, typeof value === 'number' ? String(value) : JSON.stringify(value), line);
      out[base + i] = value;
    });
    const target = object[spec.target];
    if (target === undefined || target === null || target === '') throw new UserError(`the object has no value for the target "${spec.target}"`, { file: spec.file, line }, 'every line needs a label');
    builder.endRow(String(target), line);
  };
  addRow(first, firstLine);
  const more = async (): Promise<boolean> => {
    const object = await nextObject();
    if (object) addRow(object, lineNumber);
    return object !== undefined;
  };
  return { columns, features, batches: drain(builder, more, () => stream.destroy()) };
}
