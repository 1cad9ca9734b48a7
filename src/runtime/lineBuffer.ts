/** Bytes a buffer starts with: an event-loop turn of a busy server's access-log lines. */
const INITIAL_BYTES = 16 * 1024;

/**
 * Log lines written as bytes into one buffer and handed to `write` once per event-loop turn: under load,
 * one write (a system call to the container's log pipe) serves many requests' lines instead of one each.
 * A line is written whole with `add`, or piece by piece (`text`, `jsonString`, `number`) and ended with
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
    if (!this.ascii(text, false)) {
      this.length = start;
      this.utf8(text);
    }
  }

  /** A string as JSON text, the same as JSON.stringify(text). */
  jsonString(text: string): void {
    const start = this.length;
    this.room(text.length + 2);
    this.bytes[this.length++] = QUOTE;
    if (this.ascii(text, true)) this.bytes[this.length++] = QUOTE;
    else {
      this.length = start;
      this.utf8(JSON.stringify(text));
    }
  }

  /** A number as JSON text, the same as JSON.stringify(value). */
  number(value: number): void {
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

  /**
   * Writes printable ASCII byte by byte, quotes and backslashes included unless `json`; false, with part
   * of it written, at the first character that is not.
   */
  private ascii(text: string, json: boolean): boolean {
    this.room(text.length);
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x20 || code > 0x7e || (json && (code === QUOTE || code === BACKSLASH))) return false;
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
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
