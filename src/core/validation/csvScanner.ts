const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

// Powers of ten that are exact doubles: a decimal of at most 15 digits divided by one of them is the
// correctly rounded value (Clinger's fast path), the same number Number() gives.
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * A number as JSON writes one (decimal, optional exponent), so CSV and JSONL data read alike: Number()
 * alone would also take hex, binary, Infinity and blanks. A leading + or zero and a bare "." at either
 * end, as spreadsheets write them, are allowed too.
 */
export const DECIMAL_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * One CSV record, valid only during the callback: field boundaries into a shared buffer, so numeric
 * fields are read without creating strings. Follows RFC 4180 (quoted fields, "" escapes, CRLF).
 */
export class CsvRecord {
  buffer: Buffer = Buffer.alloc(0);
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  quoted = new Uint8Array(64);
  /** Numbers read during the scan itself, where `parsed` is 1: plain decimals, the common case. */
  values = new Float64Array(64);
  parsed = new Uint8Array(64);
  count = 0;
  /** 1-based line on which the record starts. */
  line = 0;

  text(field: number): string {
    const text = this.buffer.toString('utf8', this.starts[field], this.ends[field]);
    return this.quoted[field] ? text.replace(/""/g, '"') : text;
  }

  /** The field as a number, NaN when it is not a finite decimal number (empty fields included). */
  number(field: number): number {
    return this.parsed[field] ? this.values[field] : this.slowNumber(field);
  }

  /** Whether the `count` fields from `first` were all read as numbers during the scan. */
  allParsed(first: number, count: number): boolean {
    if (first + count > this.count) return false;
    for (let i = first; i < first + count; i++) if (!this.parsed[i]) return false;
    return true;
  }

  private slowNumber(field: number): number {
    const text = this.text(field).trim();
    if (!DECIMAL_NUMBER.test(text)) return NaN;
    const value = Number(text);
    return Number.isFinite(value) ? value : NaN;
  }

  ensureCapacity(fields: number): void {
    if (fields < this.starts.length) return;
    const size = this.starts.length * 2;
    const grow = <T extends Int32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.starts = grow(this.starts, (n) => new Int32Array(n));
    this.ends = grow(this.ends, (n) => new Int32Array(n));
    this.quoted = grow(this.quoted, (n) => new Uint8Array(n));
    this.parsed = grow(this.parsed, (n) => new Uint8Array(n));
    const values = new Float64Array(size);
    values.set(this.values);
    this.values = values;
  }
}

/**
 * Caps on a line and on a field. Real data sets stay far below them (a 28x28 image row is a few KB); what
 * reaches them is an unclosed quote or a file that is not CSV, and stopping there bounds memory and
 * tells the user early instead of reading the rest of the file into one record.
 */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
export const MAX_FIELD_BYTES = 16 * 1024 * 1024;

/** Thrown for malformed CSV (an unclosed quote, text after a closing quote, a line too long), with the line. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly hint = 'close the quote or remove the stray text',
  ) {
    super(message);
  }
}

// Where a record cut by a chunk boundary stands, so that each new chunk is read once, from where the
// last one stopped, until the record's end is found.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3; // a quote inside a quoted field: closes it, or escapes a second one

/** A record cut by chunk boundaries: its pieces so far and the state at the end of the last one. */
class PendingRecord {
  readonly pieces: Buffer[] = [];
  bytes = 0;
  private state = FIELD_START;
  private fieldBytes = 0;

  constructor(private readonly line: number) {}

  /** Adds `piece` up to the record's end; returns where the record ends in it (after its LF), or -1. */
  add(piece: Buffer): number {
    let state = this.state;
    let fieldBytes = this.fieldBytes;
    let end = -1;
    for (let i = 0; i < piece.length; i++) {
      const c = piece[i];
      if (state === QUOTED) {
        if (c === QUOTE) state = QUOTE_IN_QUOTED;
        else fieldBytes++;
        continue;
      }
      if (c === LF) {
        end = i + 1;
        break;
      }
      if (c === COMMA) {
        state = FIELD_START;
        fieldBytes = 0;
      } else if (c === QUOTE && (state === FIELD_START || state === QUOTE_IN_QUOTED)) {
        state = QUOTED;
      } else {
        state = UNQUOTED;
        fieldBytes++;
      }
    }
    this.state = state;
    this.fieldBytes = fieldBytes;
    const taken = end < 0 ? piece : piece.subarray(0, end);
    this.pieces.push(taken);
    this.bytes += taken.length;
    if (fieldBytes > MAX_FIELD_BYTES) {
      const unclosed = state === QUOTED;
      throw new CsvSyntaxError(
        unclosed ? `a quoted field runs on for more than ${MAX_FIELD_BYTES >> 20} MB: its quote is probably never closed` : `a field is longer than ${MAX_FIELD_BYTES >> 20} MB`,
        this.line,
        unclosed ? 'close the quote' : 'check that the file is CSV; fields this long are not features',
      );
    }
    if (this.bytes > MAX_LINE_BYTES) throw new CsvSyntaxError(`a line is longer than ${MAX_LINE_BYTES >> 20} MB`, this.line, 'check that the file is CSV with one row per line');
    return end;
  }

  joined(): Buffer {
    return this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces, this.bytes);
  }
}

/**
 * Splits a stream of CSV bytes into records, handing each to `onRecord`. Blank lines are skipped. A
 * record cut by a chunk boundary is completed from the following chunks, each byte read once.
 */
export class CsvScanner {
  private pending?: PendingRecord;
  private line = 1;
  private readonly record = new CsvRecord();

  constructor(private readonly onRecord: (record: CsvRecord) => void) {}

  push(chunk: Buffer): void {
    let offset = 0;
    if (this.pending) {
      const end = this.pending.add(chunk);
      if (end < 0) return;
      const head = this.pending.joined();
      this.pending = undefined;
      this.scanRecord(head, 0, true);
      offset = end;
    }
    for (;;) {
      const next = this.scanRecord(chunk, offset, false);
      if (next < 0) break;
      offset = next;
    }
    if (offset < chunk.length) {
      this.pending = new PendingRecord(this.line);
      this.pending.add(chunk.subarray(offset));
    }
  }

  end(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) this.scanRecord(pending.joined(), 0, true);
  }

  /** Scans one record from `start`; returns where the next begins, or -1 when the record is not complete. */
  private scanRecord(buf: Buffer, start: number, final: boolean): number {
    const record = this.record;
    const length = buf.length;
    if (start >= length) return -1;
    let i = start;
    let field = 0;
    let lines = 0;
    // Locals, not property loads, in the per-field path; reloaded when the record grows.
    let { starts, ends, quoted, values, parsed } = record;
    for (;;) {
      if (field >= starts.length) {
        record.ensureCapacity(field + 1);
        ({ starts, ends, quoted, values, parsed } = record);
      }
      // Reads stay inside the buffer: one past its end, at a field cut by the chunk boundary, would make
      // V8 drop this function's optimised code.
      const first = i < length ? buf[i] : 0;
      if (first >= ZERO && first <= NINE) {
        // The common field, a whole number of up to 15 digits followed by a comma, in one short step; any
        // other field (a sign, a fraction, the last of its line, cut by the chunk's end) goes the long way.
        let value = first - ZERO;
        let j = i + 1;
        let c = 0;
        while (j < length && (c = buf[j]) >= ZERO && c <= NINE && j - i < 15) {
          value = value * 10 + (c - ZERO);
          j++;
        }
        if (j < length && c === COMMA) {
          starts[field] = i;
          ends[field] = j;
          quoted[field] = 0;
          values[field] = value;
          parsed[field] = 1;
          field++;
          i = j + 1;
          continue;
        }
      }
      if (first === QUOTE) {
        // Quoted field: runs to the closing quote; "" is an escaped quote.
        let j = i + 1;
        for (;;) {
          if (j >= length) {
            if (final) throw new CsvSyntaxError('a quoted field is never closed', this.line);
            return -1;
          }
          if (buf[j] === QUOTE) {
            if (buf[j + 1] === QUOTE) j += 2;
            else if (j + 1 >= length && !final) return -1; // the escape may continue in the next chunk
            else break;
          } else {
            if (buf[j] === LF) lines++;
            j++;
          }
        }
        starts[field] = i + 1;
        ends[field] = j;
        quoted[field] = 1;
        parsed[field] = 0;
        i = j + 1;
        const after = buf[i];
        if (i < length && after !== COMMA && after !== LF && after !== CR) {
          throw new CsvSyntaxError('unexpected text after a closing quote', this.line + lines);
        }
      } else {
        // Unquoted field: find its end and, in the same pass, read it as a plain decimal when it is one
        // (at most 15 digits: Clinger's fast path, the same double Number() gives).
        let j = i;
        let negative = false;
        if (j < length && (buf[j] === MINUS || buf[j] === PLUS)) negative = buf[j++] === MINUS;
        let mantissa = 0;
        let digits = 0;
        let decimals = -1;
        let plain = true;
        for (; j < length; j++) {
          const c = buf[j];
          if (c >= ZERO && c <= NINE) {
            mantissa = mantissa * 10 + (c - ZERO);
            digits++;
            if (decimals >= 0) decimals++;
          } else if (c === COMMA || c === LF) {
            break;
          } else if (c === DOT && decimals < 0) {
            decimals = 0;
          } else {
            plain = false;
            while (j < length && buf[j] !== COMMA && buf[j] !== LF) j++;
            break;
          }
        }
        starts[field] = i;
        // Only a field that is not a plain number can end in the CR of a CRLF.
        ends[field] = !plain && j > i && buf[j - 1] === CR && (j >= length || buf[j] === LF) ? j - 1 : j;
        quoted[field] = 0;
        if (plain && digits > 0 && digits <= 15) {
          const value = decimals > 0 ? mantissa / EXACT_POWERS_OF_TEN[decimals] : mantissa;
          values[field] = negative ? -value : value;
          parsed[field] = 1;
        } else {
          parsed[field] = 0;
        }
        i = j;
      }
      field++;
      if (i >= length) {
        if (!final) return -1;
        this.emit(buf, field, lines);
        return length;
      }
      if (buf[i] === CR) {
        if (i + 1 >= length && !final) return -1; // its LF may be in the next chunk
        if (buf[i + 1] !== LF) throw new CsvSyntaxError('a carriage return without a line feed', this.line + lines);
        i++;
      }
      if (buf[i] === LF) {
        this.emit(buf, field, lines + 1);
        return i + 1;
      }
      i++; // the comma
    }
  }

  private emit(buf: Buffer, fields: number, lines: number): void {
    const record = this.record;
    const blank = fields === 1 && record.starts[0] === record.ends[0] && !record.quoted[0];
    record.buffer = buf;
    record.count = fields;
    record.line = this.line;
    this.line += lines;
    if (!blank) this.onRecord(record);
  }
}
