import fc from 'fast-check';
import type { FuzzCase } from './fuzzCase';
import { validCase } from './validRequests';

/** One edit of a body's bytes; positions are taken modulo the body's length. */
type ByteEdit = { kind: 'flip'; at: number; bit: number } | { kind: 'truncate'; at: number } | { kind: 'insert'; at: number; bytes: Uint8Array } | { kind: 'delete'; at: number; length: number } | { kind: 'repeat'; at: number; length: number };

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 32 }) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
);

function applyEdit(body: Buffer, edit: ByteEdit): Buffer {
  if (!body.length) return edit.kind === 'insert' ? Buffer.from(edit.bytes) : body;
  const at = edit.at % body.length;
  switch (edit.kind) {
    case 'flip': {
      const copy = Buffer.from(body);
      copy[at] ^= 1 << edit.bit;
      return copy;
    }
    case 'truncate':
      return body.subarray(0, at);
    case 'insert':
      return Buffer.concat([body.subarray(0, at), edit.bytes, body.subarray(at)]);
    case 'delete':
      return Buffer.concat([body.subarray(0, at), body.subarray(at + edit.length)]);
    case 'repeat':
      return Buffer.concat([body.subarray(0, at + edit.length), body.subarray(at)]);
  }
}

/**
 * Valid bodies (JSON or binary) with one to four byte edits, sent with the valid request's headers and
 * the true new Content-Length: each may be answered 200 or 4xx, never 5xx.
 */
export const byteMutationCase: fc.Arbitrary<FuzzCase> = fc.tuple(validCase, fc.array(byteEdit, { minLength: 1, maxLength: 4 })).map(([valid, edits]) => ({
  family: 'bytes',
  mutation: edits.map((e) => e.kind).join('+'),
  headers: valid.headers,
  body: edits.reduce(applyEdit, valid.body),
}));
