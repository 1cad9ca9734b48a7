import { ProtoReader } from '../protobuf/protoReader';

/** Protocol-buffer wire types that ONNX's messages use. */
export const VARINT = 0;
export const LENGTH_DELIMITED = 2;

/**
 * Walks the fields of one encoded message. `visit` reads the fields it wants from the reader and returns
 * true; every other field is skipped unread, so a graph of gigabytes costs only the fields looked at.
 * Throws (a plain Error) on bytes that are not a protocol-buffer message.
 */
export function readFields(bytes: Uint8Array, visit: (field: number, wire: number, reader: ProtoReader) => boolean): void {
  const reader = new ProtoReader(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0) throw new Error('field number 0');
    if (!visit(field, wire, reader)) reader.skipType(wire);
  }
}

/** Throws unless a field came with the wire type its schema gives it. */
export function expectWire(field: number, wire: number, expected: number): void {
  if (wire !== expected) throw new Error(`field ${field} has wire type ${wire}`);
}
