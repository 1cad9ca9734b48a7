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

  /** The field as a number, NaN when it is not one (empty fields included). */
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
    return text === '' ? NaN : Number(text);
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

/** Thrown for malformed CSV (an unclosed quote, text after a closing quote), with the line. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/**
 * Splits a stream of CSV bytes into records, handing each to `onRecord`. Blank lines are skipped. A
 * record cut by a chunk boundary waits for the next chunk.
 */
export class CsvScanner {
  private pending?: Buffer;
  private line = 1;
  private readonly record = new CsvRecord();

  constructor(private readonly onRecord: (record: CsvRecord) => void) {}

  push(chunk: Buffer): void {
    let buffer = chunk;
    let offset = 0;
    if (this.pending) {
      // Finish the record cut by the last boundary on a small joined piece, so the chunk is not copied.
      const firstLineEnd = chunk.indexOf(LF);
      const head = firstLineEnd < 0 ? undefined : Buffer.concat([this.pending, chunk.subarray(0, firstLineEnd + 1)]);
      const next = head ? this.scanRecord(head, 0, false) : -1;
      if (head && next === head.length) {
        offset = firstLineEnd + 1;
      } else {
        buffer = Buffer.concat([this.pending, chunk]); // a quoted field spans the line end: join it all
      }
      this.pending = undefined;
    }
    for (;;) {
      const next = this.scanRecord(buffer, offset, false);
      if (next < 0) break;
      offset = next;
    }
    this.pending = offset < buffer.length ? buffer.subarray(offset) : undefined;
  }

  end(): void {
    if (this.pending) this.scanRecord(this.pending, 0, true);
    this.pending = undefined;
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
      if (i < length && buf[i] === QUOTE) {
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
