import { toJson } from './encodeOutput';
import { JSON_NUMBER_MAX_BYTES, writeFloat32Json, writeIntegerJson } from './jsonNumbers';
import type { OipInferenceResponseHeader } from './oipTypes';

/** Output data that JsonAnswerWriter writes: float32 values and integers. */
export type WrittenData = Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** The onnxruntime element types of WrittenData. */
export const WRITTEN_TYPES: ReadonlySet<string> = new Set(['float32', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);

const DATA_KEY = '"data":[';

/**
 * Writes JSON answers as bytes: a header whose outputs lack their `data`, and each output's data as a typed
 * array, make the bytes of toJson of the response with each output's data, as a list, for its last key.
 * The header's text is made once and kept while the same header comes back (the model host shares one,
 * frozen, between requests for the same outputs of the same shapes), so that only the numbers are written
 * for each answer, by jsonNumbers rather than JSON.stringify.
 */
export class JsonAnswerWriter {
  private header: OipInferenceResponseHeader | undefined;
  /** The header's text around where each output's values go. */
  private pieces: Buffer[] = [];
  private piecesLength = 0;
  /** Where answers are written before they are copied out at their length; grown as needed. */
  private scratch = Buffer.allocUnsafe(4096);

  write(header: OipInferenceResponseHeader, data: WrittenData[]): Buffer {
    if (header !== this.header) {
      this.pieces = textPieces(header);
      this.piecesLength = this.pieces.reduce((n, piece) => n + piece.length, 0);
      this.header = header;
    }
    let room = this.piecesLength;
    for (const values of data) room += values.length * (JSON_NUMBER_MAX_BYTES + 1);
    if (room > this.scratch.length) this.scratch = Buffer.allocUnsafe(Math.max(room, 2 * this.scratch.length));
    const out = this.scratch;
    let at = 0;
    for (let i = 0; i < data.length; i++) {
      at += this.pieces[i].copy(out, at);
      at = writeValues(out, at, data[i]);
    }
    at += this.pieces[data.length].copy(out, at);
    const body = Buffer.allocUnsafe(at);
    out.copy(body, 0, 0, at);
    return body;
  }
}

/** The header's JSON with an empty data list last in each output, cut inside each list. */
function textPieces(header: OipInferenceResponseHeader): Buffer[] {
  const text = toJson({ ...header, outputs: header.outputs.map((output) => ({ ...output, data: [] })) });
  // Inside JSON strings every quote is escaped, so this key with its quotes bare is only ever a key.
  const pieces: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < header.outputs.length; i++) {
    const at = text.indexOf(DATA_KEY, from) + DATA_KEY.length;
    pieces.push(Buffer.from(text.slice(from, at)));
    from = at;
  }
  pieces.push(Buffer.from(text.slice(from)));
  return pieces;
}

/** Writes values separated by commas; returns where they end. */
function writeValues(out: Buffer, at: number, values: WrittenData): number {
  if (values instanceof Float32Array) {
    for (let i = 0; i < values.length; i++) {
      if (i) out[at++] = COMMA;
      at = writeFloat32Json(out, at, values[i]);
    }
    return at;
  }
  for (let i = 0; i < values.length; i++) {
    if (i) out[at++] = COMMA;
    at = writeIntegerJson(out, at, values[i]);
  }
  return at;
}

const COMMA = 0x2c;
