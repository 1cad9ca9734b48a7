import { JSON_NUMBER_MAX_BYTES, writeIntegerJson } from '../core/oip/jsonNumbers';

/** Bytes a buffer starts with: an event-loop turn of a busy server's access-log lines. */
const INITIAL_BYTES = 16 * 1024;

/**
 * Log lines written as bytes into one buffer and handed to `write` once per event-loop turn: under load,
 * one write (a system call to the container's log pipe) serves many requests' lines instead of one each.
 * A line is written whole with `add`, or piece by piece (`text`, `copy`, `number`) and ended with
 * `endLine`, so that a line written every request is never first built as a string of its own. `write`
 * gets a view of the buffer, which is written over once it returns.
 */
export class LineBuffer {
  private bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  private length = 0;
  private scheduled = false;

  constructor(private readonly write: (bytes: Uint8Array) => void) {}

  /** A whole line (without its newline). */
  add(line: string): void {
    this.utf8(line);
    this.endLine();
  }

  /** Text as it is: ASCII byte by byte, anything else as UTF-8. */
  text(text: string): void {
    const start = this.length;
    if (!this.ascii(text)) {
      this.length = start;
      this.utf8(text);
    }
  }

  /** Bytes as they are: text made once and written again and again. */
  copy(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }

  /**
   * A number as JSON text, the same as JSON.stringify(value). Whole numbers and positive tenths (every
   * access-log line has both) are written digit by digit: String() of a fraction costs several times more.
   */
  number(value: number): void {
    this.room(JSON_NUMBER_MAX_BYTES);
    if (Number.isInteger(value)) {
      this.length = writeIntegerJson(this.bytes, this.length, value);
      return;
    }
    // Exactly tenths: the double nearest t/10 prints as the digits of t with a point before the last.
    const tenths = Math.round(value * 10);
    if (value > 0 && tenths / 10 === value && tenths < 2 ** 31) {
      const whole = (tenths / 10) | 0;
      this.length = writeIntegerJson(this.bytes, this.length, whole);
      this.bytes[this.length++] = POINT;
      this.bytes[this.length++] = ZERO + tenths - whole * 10;
      return;
    }
    this.text(Number.isFinite(value) ? String(value) : 'null');
  }

  /** Ends the line being written; the buffer goes to `write` at the end of this event-loop turn. */
  endLine(): void {
    this.room(1);
    this.bytes[this.length++] = NEWLINE;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes what is pending now (on shutdown), and nothing when nothing is. */
  flush(): void {
    this.scheduled = false;
    if (!this.length) return;
    const pending = this.bytes.subarray(0, this.length);
    this.length = 0;
    this.write(pending);
  }

  /** Writes printable ASCII byte by byte; false, with part of it written, at the first character that is not. */
  private ascii(text: string): boolean {
    this.room(text.length);
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x20 || code > 0x7e) return false;
      bytes[at++] = code;
    }
    this.length = at;
    return true;
  }

  private utf8(text: string): void {
    this.room(Buffer.byteLength(text));
    this.length += this.bytes.write(text, this.length, 'utf8');
  }

  /** Makes room for `more` bytes, growing the buffer (a line is never split across writes). */
  private room(more: number): void {
    if (this.length + more <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.length + more));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }
}

const NEWLINE = 0x0a;
const POINT = 0x2e;
const ZERO = 0x30;
