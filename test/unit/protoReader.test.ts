import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { Reader, Writer } from 'protobufjs/minimal';
import { ProtoReader } from '../../src/core/protobuf/protoReader';

/** One field as protobufjs writes it, with what our reader must read back. */
type Field =
  | { kind: 'uint32'; value: number }
  | { kind: 'int32'; value: number }
  | { kind: 'int64'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'fixed32'; value: number }
  | { kind: 'double'; value: number };

const WIRE = { uint32: 0, int32: 0, int64: 0, bool: 0, string: 2, bytes: 2, fixed32: 5, double: 1 } as const;

const field: fc.Arbitrary<Field> = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }).map((value) => ({ kind: 'uint32' as const, value })),
  fc.integer().map((value) => ({ kind: 'int32' as const, value })),
  fc.maxSafeInteger().map((value) => ({ kind: 'int64' as const, value })),
  fc.boolean().map((value) => ({ kind: 'bool' as const, value })),
  fc.string({ unit: 'grapheme' }).map((value) => ({ kind: 'string' as const, value })),
  fc.uint8Array({ maxLength: 300 }).map((value) => ({ kind: 'bytes' as const, value })),
  fc.integer({ min: 0, max: 0xffffffff }).map((value) => ({ kind: 'fixed32' as const, value })),
  fc.double().map((value) => ({ kind: 'double' as const, value })),
);

function encode(fields: Field[]): Uint8Array {
  const w = Writer.create();
  fields.forEach((f, i) => {
    w.uint32(((i + 1) << 3) | WIRE[f.kind]);
    if (f.kind === 'string') w.string(f.value);
    else if (f.kind === 'bytes') w.bytes(f.value);
    else if (f.kind === 'bool') w.bool(f.value);
    else if (f.kind === 'int64') w.int64(f.value);
    else if (f.kind === 'double') w.double(f.value);
    else w[f.kind](f.value);
  });
  return w.finish();
}

describe('the protocol-buffer reader', () => {
  it('reads back every field protobufjs writes: varints of each kind, strings, bytes', () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 12 }), (fields) => {
        const reader = new ProtoReader(encode(fields));
        for (const [i, f] of fields.entries()) {
          const tag = reader.uint32();
          assert.equal(tag >>> 3, i + 1);
          assert.equal(tag & 7, WIRE[f.kind]);
          if (f.kind === 'uint32') assert.equal(reader.uint32(), f.value);
          else if (f.kind === 'int32') assert.equal(reader.int32(), f.value);
          else if (f.kind === 'int64') assert.equal(reader.int64(), f.value);
          else if (f.kind === 'bool') assert.equal(reader.bool(), f.value);
          else if (f.kind === 'string') assert.equal(reader.string(), f.value);
          else if (f.kind === 'bytes') assert.deepEqual([...reader.bytes()], [...f.value]);
          else reader.skipType(tag & 7);
        }
        assert.equal(reader.pos, reader.len, 'the whole message is read');
      }),
      { seed: 20261204, numRuns: 300 },
    );
  });

  it('skips each field where protobufjs skips it, whatever its wire type (groups included)', () => {
    const withGroup = (fields: Field[]) => {
      const inner = encode(fields);
      const w = Writer.create().uint32((1 << 3) | 3).uint32((2 << 3) | 2).bytes(inner);
      return w.uint32((1 << 3) | 4).uint32((3 << 3) | 0).uint32(7).finish();
    };
    fc.assert(
      fc.property(fc.array(field, { maxLength: 8 }), (fields) => {
        for (const bytes of [encode(fields), withGroup(fields)]) {
          const ours = new ProtoReader(bytes);
          const theirs = Reader.create(bytes);
          while (theirs.pos < theirs.len) {
            const tag = theirs.uint32();
            assert.equal(ours.uint32(), tag);
            theirs.skipType(tag & 7);
            ours.skipType(tag & 7);
            assert.equal(ours.pos, theirs.pos);
          }
          assert.equal(ours.pos, ours.len);
        }
      }),
      { seed: 20261204, numRuns: 200 },
    );
  });

  it('reads -1 and other negative int64 and int32 values from their ten-byte varints', () => {
    const bytes = Writer.create().int64(-1).int32(-5).int64(-(2 ** 40)).finish();
    const reader = new ProtoReader(bytes);
    assert.equal(reader.int64(), -1);
    assert.equal(reader.int32(), -5);
    assert.equal(reader.int64(), -(2 ** 40));
  });

  it('throws, saying where, on a message cut short, an over-long varint or an unknown wire type', () => {
    const cut = Writer.create().uint32(10).string('a longer string').finish().subarray(0, 6);
    const reader = new ProtoReader(cut);
    reader.uint32();
    assert.throws(() => reader.string(), /a value of 15 bytes at offset 2 runs past the message's end \(6 bytes\)/);
    assert.throws(() => new ProtoReader(Uint8Array.of(0x80, 0x80)).uint32(), /the message ends inside a value at offset 2/);
    assert.throws(() => new ProtoReader(new Uint8Array(11).fill(0xff)).int64(), /varint longer than 10 bytes/);
    assert.throws(() => new ProtoReader(new Uint8Array(11).fill(0xff)).uint32(), /varint longer than 10 bytes/);
    assert.throws(() => new ProtoReader(Uint8Array.of(0)).skipType(6), /invalid wire type 6 at offset 0/);
    assert.throws(() => new ProtoReader(Uint8Array.of(1, 2, 3)).skipType(1), /runs past the message's end/);
  });
});
