const utf8 = new TextDecoder();

/**
 * Reads protocol-buffer wire format, the part of it that ONNX models and BuildKit's status messages
 * need: varints, strings, bytes, and skipping the fields that are not looked at. Loading protobufjs for
 * this cost about 7 ms of every model server's start (its utilities, and its lookup of the optional
 * `long` package), more than reading a model's header and signature takes. Bytes that are not a valid
 * message throw a plain Error, which callers turn into their own message.
 */
export class ProtoReader {
  pos = 0;
  readonly len: number;

  constructor(private readonly buf: Uint8Array) {
    this.len = buf.length;
  }

  /** A varint's low 32 bits, unsigned: protobuf's uint32 (and the tag of a field). */
  uint32(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.byte();
      if (shift < 32) value |= (b & 0x7f) << shift;
      if (b < 0x80) return value >>> 0;
      if (shift === 63) throw new Error(`varint longer than 10 bytes at offset ${this.pos}`);
    }
  }

  /** protobuf's int32: a negative value comes as a ten-byte varint whose low 32 bits are its two's complement. */
  int32(): number {
    return this.uint32() | 0;
  }

  /** protobuf's int64, as a number: exact up to 2^53 either way, which every tensor dimension is. */
  int64(): number {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = this.byte();
      value |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return Number(BigInt.asIntN(64, value));
      if (shift === 63n) throw new Error(`varint longer than 10 bytes at offset ${this.pos}`);
    }
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  /** A length-delimited field's bytes: a view, not a copy. */
  bytes(): Uint8Array {
    const length = this.uint32();
    const start = this.pos;
    this.advance(length);
    return this.buf.subarray(start, start + length);
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  /** Skips one field's value of wire type `wire`: 0 varint, 1 fixed 64-bit, 2 length-delimited, 3 group, 5 fixed 32-bit. */
  skipType(wire: number): void {
    if (wire === 0) {
      while (this.byte() >= 0x80);
    } else if (wire === 1) this.advance(8);
    else if (wire === 2) this.advance(this.uint32());
    else if (wire === 3) {
      for (let tag = this.uint32(); (tag & 7) !== 4; tag = this.uint32()) this.skipType(tag & 7);
    } else if (wire === 5) this.advance(4);
    else throw new Error(`invalid wire type ${wire} at offset ${this.pos}`);
  }

  private byte(): number {
    if (this.pos >= this.len) throw new RangeError(`the message ends inside a value at offset ${this.pos}`);
    return this.buf[this.pos++];
  }

  private advance(n: number): void {
    if (this.pos + n > this.len) throw new RangeError(`a value of ${n} bytes at offset ${this.pos} runs past the message's end (${this.len} bytes)`);
    this.pos += n;
  }
}
