import { EXACT_POWERS } from './jsonNumbers';
import { FLOAT32_OVERFLOW } from './tensorValues';

/**
 * The JSON of an inference request, parsed to what JSON.parse gives, except that the `data` of each of
 * its `inputs` that is a flat list of numbers comes as a typed array: the numbers go straight from the
 * body's bytes into it, without a JavaScript array of boxed values in between. A Float64Array holds every
 * JSON number as JSON.parse reads it, so the values are the same. An input that says `"datatype": "FP32"`
 * before its data gets a Float32Array instead: the values rounded to float32 as the tensor will hold them,
 * which spares the tensor's conversion; a list with a value beyond float32's range comes as a Float64Array,
 * for its error to name that value.
 *
 * Those typed arrays are views of buffers that the next call writes over: the caller turns them into
 * its tensors' own arrays before it parses another body (the server does so before it waits for anything).
 * A copy of each would cost as much again as reading the numbers.
 *
 * A body this scanner does not take on (invalid JSON, escapes in strings, a "__proto__" key, deep
 * nesting) goes to JSON.parse, which gives its result or its error: both are JSON.parse's own.
 */
export function parseInferenceRequestJson(body: Buffer): unknown {
  const scanned = new RequestScanner(body).scan();
  return scanned === UNSCANNED ? JSON.parse(body.toString('utf8')) : scanned;
}

/** What the scanner returns for a body it leaves to JSON.parse. */
const UNSCANNED = Symbol('unscanned');
/** "0,0," read as a little-endian 32-bit word. */
const ZERO_ZERO = 0x2c302c30;
/** What a number scan returns for a list that is not all numbers; the list is scanned again as values. */
const NOT_NUMBERS = Symbol('not numbers');
/** What a float32 number scan returns for a list with a value beyond float32's range; it is scanned again as doubles. */
const BEYOND_FLOAT32 = Symbol('beyond float32');

const enum Byte {
  Tab = 0x09,
  Newline = 0x0a,
  Return = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Plus = 0x2b,
  Comma = 0x2c,
  Minus = 0x2d,
  Dot = 0x2e,
  Zero = 0x30,
  Nine = 0x39,
  Colon = 0x3a,
  UpperE = 0x45,
  OpenBracket = 0x5b,
  Backslash = 0x5c,
  CloseBracket = 0x5d,
  LowerE = 0x65,
  LowerF = 0x66,
  LowerN = 0x6e,
  LowerT = 0x74,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
}

/** Where a value sits in the request: only an input's "data" is scanned as numbers. */
const enum Place {
  Other,
  Body,
  Inputs,
  Input,
}

// Deeper than any request: past it the recursion stops and JSON.parse takes the body.
const MAX_DEPTH = 64;

/**
 * Where the numbers of a body's lists go, one after another, as doubles or as float32 values: one buffer
 * of each for every scan, grown for more. A list's numbers go to one of them, at the same place in either.
 */
let doubles = new Float64Array(1024);
let floats = new Float32Array(1024);
/** Where the last number scanned ends. */
let numberEnd = 0;

class RequestScanner {
  private at = 0;
  /** Numbers in the scratch buffers so far: the lists of this body lie end to end from 0. */
  private count = 0;

  constructor(private readonly bytes: Buffer) {}

  scan(): unknown {
    const value = this.value(Place.Body, 0);
    if (value === UNSCANNED) return UNSCANNED;
    this.skipSpace();
    return this.at === this.bytes.length ? value : UNSCANNED;
  }

  private skipSpace(): void {
    const bytes = this.bytes;
    let at = this.at;
    for (;;) {
      const b = bytes[at];
      if (b !== Byte.Space && b !== Byte.Newline && b !== Byte.Return && b !== Byte.Tab) break;
      at++;
    }
    this.at = at;
  }

  private value(place: Place, depth: number): unknown {
    if (depth > MAX_DEPTH) return UNSCANNED;
    this.skipSpace();
    const b = this.bytes[this.at];
    if (b === Byte.OpenBrace) return this.object(place, depth);
    if (b === Byte.OpenBracket) return this.list(place === Place.Body ? Place.Other : place, depth);
    if (b === Byte.Quote) return this.string();
    if (b === Byte.Minus || (b >= Byte.Zero && b <= Byte.Nine)) {
      const n = scanNumber(this.bytes, this.at);
      this.at = numberEnd;
      return Number.isNaN(n) ? UNSCANNED : n;
    }
    if (b === Byte.LowerT) return this.word('true', true);
    if (b === Byte.LowerF) return this.word('false', false);
    if (b === Byte.LowerN) return this.word('null', null);
    return UNSCANNED;
  }

  private word(text: string, value: boolean | null): boolean | null | typeof UNSCANNED {
    for (let i = 0; i < text.length; i++) if (this.bytes[this.at + i] !== text.charCodeAt(i)) return UNSCANNED;
    this.at += text.length;
    return value;
  }

  private object(place: Place, depth: number): Record<string, unknown> | typeof UNSCANNED {
    const object: Record<string, unknown> = {};
    this.at++;
    this.skipSpace();
    if (this.bytes[this.at] === Byte.CloseBrace) {
      this.at++;
      return object;
    }
    for (;;) {
      this.skipSpace();
      if (this.bytes[this.at] !== Byte.Quote) return UNSCANNED;
      const key = this.string();
      // JSON.parse makes "__proto__" an own property; assigning it would set the prototype instead.
      if (key === UNSCANNED || key === '__proto__') return UNSCANNED;
      this.skipSpace();
      if (this.bytes[this.at++] !== Byte.Colon) return UNSCANNED;
      let value: unknown;
      if (place === Place.Input && key === 'data') value = this.data(depth + 1, object.datatype === 'FP32');
      else value = this.value(place === Place.Body && key === 'inputs' ? Place.Inputs : Place.Other, depth + 1);
      if (value === UNSCANNED) return UNSCANNED;
      object[key] = value;
      this.skipSpace();
      const next = this.bytes[this.at++];
      if (next === Byte.CloseBrace) return object;
      if (next !== Byte.Comma) return UNSCANNED;
    }
  }

  private list(place: Place, depth: number): unknown[] | typeof UNSCANNED {
    const list: unknown[] = [];
    this.at++;
    this.skipSpace();
    if (this.bytes[this.at] === Byte.CloseBracket) {
      this.at++;
      return list;
    }
    for (;;) {
      const value = this.value(place === Place.Inputs ? Place.Input : Place.Other, depth + 1);
      if (value === UNSCANNED) return UNSCANNED;
      list.push(value);
      this.skipSpace();
      const next = this.bytes[this.at++];
      if (next === Byte.CloseBracket) return list;
      if (next !== Byte.Comma) return UNSCANNED;
    }
  }

  /** An input's data: its numbers as a typed array when it is a list of nothing else (see parseInferenceRequestJson), else its values. */
  private data(depth: number, asFloat32: boolean): unknown {
    this.skipSpace();
    if (this.bytes[this.at] !== Byte.OpenBracket) return this.value(Place.Other, depth);
    const start = this.at;
    const first = this.count;
    let scanned = this.numberList(asFloat32);
    if (scanned === BEYOND_FLOAT32) {
      this.at = start;
      asFloat32 = false;
      scanned = this.numberList(false);
    }
    if (scanned === UNSCANNED) return UNSCANNED;
    if (scanned === NOT_NUMBERS) {
      this.at = start;
      return this.value(Place.Other, depth);
    }
    return (asFloat32 ? floats : doubles).subarray(first, this.count);
  }

  /**
   * Appends the numbers of a flat list to the scratch buffer of doubles or of float32 values, from `count`
   * on (`count` is left as it was on failure). The hot loop of a request: a server's requests all use the
   * same buffer, so its stores stay of one kind.
   */
  private numberList(asFloat32: boolean): undefined | typeof UNSCANNED | typeof NOT_NUMBERS | typeof BEYOND_FLOAT32 {
    const bytes = this.bytes;
    let at = this.at + 1;
    let b = bytes[at];
    while (b === Byte.Space || b === Byte.Newline || b === Byte.Return || b === Byte.Tab) b = bytes[++at];
    if (b === Byte.CloseBracket) {
      this.at = at + 1;
      return undefined;
    }
    let count = this.count;
    let out: Float64Array | Float32Array = asFloat32 ? floats : doubles;
    const last = bytes.length;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    for (;;) {
      if (count >= out.length) out = grow(asFloat32, count);
      // A lone 0 and its comma, most of the values of an image or of sparse features, in two reads.
      if (b === Byte.Zero && bytes[at + 1] === Byte.Comma) {
        out[count++] = 0;
        at += 2;
        // A run of them four bytes at a time, "0,0,", while there is room for both.
        while (at + 4 <= last && count + 2 <= out.length && view.getUint32(at, true) === ZERO_ZERO) {
          out[count++] = 0;
          out[count++] = 0;
          at += 4;
        }
        b = bytes[at];
        while (b === Byte.Space || b === Byte.Newline || b === Byte.Return || b === Byte.Tab) b = bytes[++at];
        continue;
      }
      let n: number;
      if (b >= Byte.Zero && b <= Byte.Nine) {
        // A whole number of up to 15 digits, the common case (pixels, counts, ids), is read here; one
        // with a fraction, an exponent or more digits is read again by scanNumber.
        let end = at + 1;
        let c = bytes[end];
        n = b - Byte.Zero;
        if (n !== 0) {
          while (c >= Byte.Zero && c <= Byte.Nine && end - at < 15) {
            n = n * 10 + (c - Byte.Zero);
            c = bytes[++end];
          }
        }
        if (c === Byte.Comma || c === Byte.CloseBracket || c === Byte.Space || c === Byte.Newline || c === Byte.Return || c === Byte.Tab) {
          at = end;
          b = c;
        } else {
          n = scanNumber(bytes, at);
          if (Number.isNaN(n)) return UNSCANNED;
          if (asFloat32 && !(Math.abs(n) < FLOAT32_OVERFLOW)) return BEYOND_FLOAT32;
          at = numberEnd;
          b = bytes[at];
        }
      } else if (b === Byte.Minus) {
        n = scanNumber(bytes, at);
        if (Number.isNaN(n)) return UNSCANNED;
        if (asFloat32 && !(Math.abs(n) < FLOAT32_OVERFLOW)) return BEYOND_FLOAT32;
        at = numberEnd;
        b = bytes[at];
      } else return NOT_NUMBERS; // nested lists too: their structure is checked against the shape on the general path
      out[count++] = n;
      while (b === Byte.Space || b === Byte.Newline || b === Byte.Return || b === Byte.Tab) b = bytes[++at];
      if (b === Byte.CloseBracket) {
        this.at = at + 1;
        this.count = count;
        return undefined;
      }
      if (b !== Byte.Comma) return UNSCANNED;
      b = bytes[++at];
      while (b === Byte.Space || b === Byte.Newline || b === Byte.Return || b === Byte.Tab) b = bytes[++at];
    }
  }

  /** A string without escapes (those go to JSON.parse), decoded from UTF-8 as Buffer.toString does. */
  private string(): string | typeof UNSCANNED {
    const bytes = this.bytes;
    const start = ++this.at;
    let at = start;
    let ascii = true;
    let hash = 0;
    for (;;) {
      const b = bytes[at];
      if (b === Byte.Quote) break;
      if (b === Byte.Backslash || b < Byte.Space || b === undefined) return UNSCANNED;
      if (b >= 0x80) ascii = false;
      hash = (Math.imul(hash, 31) + b) | 0;
      at++;
    }
    this.at = at + 1;
    return ascii && at - start <= RECENT_MAX_BYTES ? recentString(bytes, start, at, hash) : bytes.toString(ascii ? 'latin1' : 'utf8', start, at);
  }
}

// Short ASCII strings (the keys, and values such as input names and datatypes) come in every request:
// each is kept by a hash of its bytes, so that the same bytes give the same string without decoding them
// again. Bounded: a slot holds the last string that hashed to it.
const RECENT_SLOTS = 256;
const RECENT_MAX_BYTES = 32;
const recentBytes = new Uint8Array(RECENT_SLOTS * RECENT_MAX_BYTES);
const recentLengths = new Int8Array(RECENT_SLOTS).fill(-1);
const recentTexts: string[] = new Array<string>(RECENT_SLOTS).fill('');

/** The ASCII string of `bytes` from `start` to `end`, whose bytes hash to `hash`. */
function recentString(bytes: Buffer, start: number, end: number, hash: number): string {
  const slot = hash & (RECENT_SLOTS - 1);
  const length = end - start;
  const base = slot * RECENT_MAX_BYTES;
  if (recentLengths[slot] === length) {
    let i = 0;
    while (i < length && recentBytes[base + i] === bytes[start + i]) i++;
    if (i === length) return recentTexts[slot];
  }
  const text = bytes.toString('latin1', start, end);
  bytes.copy(recentBytes, base, start, end);
  recentLengths[slot] = length;
  recentTexts[slot] = text;
  return text;
}

/**
 * The scratch buffer of float32 values or of doubles, with what it held, grown to take a number at
 * `count`: the other buffer's lists may have taken it past this one's end.
 */
function grow(float32: boolean, count: number): Float64Array | Float32Array {
  const length = 2 * Math.max(count, float32 ? floats.length : doubles.length);
  if (float32) {
    const grown = new Float32Array(length);
    grown.set(floats);
    return (floats = grown);
  }
  const grown = new Float64Array(length);
  grown.set(doubles);
  return (doubles = grown);
}

/**
 * The number by JSON's grammar at `at`, as JSON.parse reads it (its end in numberEnd); NaN when the text
 * there is not one. Digits up to 2^53 make an exact integer, and one division of it by an exact power of
 * ten is the correctly rounded value: JSON.parse's. Anything else (an exponent, more digits) goes to
 * JavaScript's own conversion. Kept small so that the compiler inlines it into the loops that call it.
 */
function scanNumber(bytes: Buffer, at: number): number {
  const start = at;
  let b = bytes[at];
  const negative = b === Byte.Minus;
  if (negative) b = bytes[++at];
  let digits = 0;
  let scale = 0;
  if (b === Byte.Zero) b = bytes[++at];
  else if (b > Byte.Zero && b <= Byte.Nine) {
    do {
      digits = digits * 10 + (b - Byte.Zero);
      b = bytes[++at];
    } while (b >= Byte.Zero && b <= Byte.Nine);
  } else return NaN;
  if (b === Byte.Dot) {
    b = bytes[++at];
    if (!(b >= Byte.Zero && b <= Byte.Nine)) return NaN;
    do {
      digits = digits * 10 + (b - Byte.Zero);
      scale--;
      b = bytes[++at];
    } while (b >= Byte.Zero && b <= Byte.Nine);
  }
  if (b === Byte.LowerE || b === Byte.UpperE || digits > Number.MAX_SAFE_INTEGER || scale < -22) return convertNumber(bytes, start, at);
  numberEnd = at;
  const value = scale < 0 ? digits / EXACT_POWERS[-scale] : digits;
  return negative ? -value : value;
}

/** The rest of a number from its exponent on, and its value by JavaScript's conversion of the checked text. */
function convertNumber(bytes: Buffer, start: number, at: number): number {
  let b = bytes[at];
  if (b === Byte.LowerE || b === Byte.UpperE) {
    b = bytes[++at];
    if (b === Byte.Minus || b === Byte.Plus) b = bytes[++at];
    if (!(b >= Byte.Zero && b <= Byte.Nine)) return NaN;
    do b = bytes[++at];
    while (b >= Byte.Zero && b <= Byte.Nine);
  }
  numberEnd = at;
  return Number(bytes.toString('latin1', start, at));
}
