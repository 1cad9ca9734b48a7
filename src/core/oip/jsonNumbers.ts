import { LITTLE_ENDIAN } from './littleEndian';

/**
 * JSON text of numbers written as bytes, for answers written without JSON.stringify (JsonAnswerWriter).
 *
 * Float32 values get the same text JSON.stringify writes for the double a float32 value widens to (the
 * shortest decimal that reads back as that double, the value Triton's and KServe's JSON carry), in about
 * half the time V8 takes: its shortest-digits algorithm often falls back to big-number arithmetic for these
 * doubles, whose last 29 bits are zeros. Measured on MNIST scores: about 220 ns a value in V8, 100 ns here;
 * for a classifier's ten scores, a few per cent of a served request.
 *
 * The digits come from exact double arithmetic: the value times a power of ten is the exact sum of two
 * doubles (a float32 value has 24 significant bits, so each product with half of the power is exact), and
 * the shortest decimal is searched for in the interval of numbers that read back as the value. Where a
 * candidate lies too near that interval's edge for the rounding of the search to decide, and for values
 * outside [1e-6, 1e16), the text is V8's own.
 */

/** The most bytes the text of one value takes: "-0.0000012345677760094986" (a sign, "0.", five zeros and 17 digits). */
export const JSON_NUMBER_MAX_BYTES = 25;

/** Powers of ten that a double holds exactly. */
export const EXACT_POWERS = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
// Each split into a high part of 26 significant bits and the rest (Veltkamp's split), so that a float32
// value times either part is an exact double.
const SPLITTER = 2 ** 27 + 1;
const POWERS_HIGH = EXACT_POWERS.map((p) => SPLITTER * p - (SPLITTER * p - p));
const POWERS_LOW = EXACT_POWERS.map((p, k) => p - POWERS_HIGH[k]);
const LOG10_2 = Math.log10(2);
/** How near an interval's edge a candidate may lie before the search's rounding could have misplaced it. */
const MARGIN = 1e-7;

// A double's bits, for its exponent, and for a power of two made from one.
const double = new Float64Array(1);
const words = new Uint32Array(double.buffer);
const HIGH_WORD = LITTLE_ENDIAN ? 1 : 0;

const enum Byte {
  Minus = 0x2d,
  Dot = 0x2e,
  Zero = 0x30,
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Writes an integer (a safe-integer number or a bigint) as JSON.stringify writes it (toJson for bigints); returns where it ends. */
export function writeIntegerJson(out: Uint8Array, at: number, value: number | bigint): number {
  let n = typeof value === 'bigint' && value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value;
  if (typeof n === 'bigint' || !(Math.abs(n) < 2 ** 31)) return writeAscii(out, at, String(n));
  if (n < 0) {
    out[at++] = Byte.Minus;
    n = -n;
  }
  let digits = n | 0;
  const end = at + (digits < 10 ? 1 : digits < 100 ? 2 : digits < 1000 ? 3 : digits < 1e4 ? 4 : digits < 1e5 ? 5 : digits < 1e6 ? 6 : digits < 1e7 ? 7 : digits < 1e8 ? 8 : digits < 1e9 ? 9 : 10);
  for (let i = end - 1; i >= at; i--) {
    const tens = (digits / 10) | 0;
    out[i] = Byte.Zero + digits - tens * 10;
    digits = tens;
  }
  return end;
}

/** Writes the JSON text of float32 value `value` (`null` when it is not finite) at `at`; returns where it ends. */
export function writeFloat32Json(out: Uint8Array, at: number, value: number): number {
  const end = shortestText(out, at, value);
  return end >= 0 ? end : writeAscii(out, at, Number.isFinite(value) ? String(value) : 'null');
}

/** The fast path of writeFloat32Json; -1 when it leaves the value to V8. */
function shortestText(out: Uint8Array, at: number, value: number): number {
  if (value === 0) {
    out[at] = Byte.Zero; // -0 too, as JSON.stringify writes it
    return at + 1;
  }
  let a = value;
  if (a < 0) {
    out[at++] = Byte.Minus;
    a = -a;
  }
  if (!(a >= 1e-6 && a < 1e16)) return -1;
  // a = M * 2^e with M of 53 bits.
  double[0] = a;
  const high = words[HIGH_WORD];
  const e = ((high >>> 20) & 0x7ff) - 1075;
  // x = a * 10^k, with k such that x has 17 digits before its point, as the exact sum xHigh + xLow.
  let k = Math.min(22, 16 - Math.floor((e + 52) * LOG10_2));
  let xHigh = a * POWERS_HIGH[k];
  let xLow = a * POWERS_LOW[k];
  if (xHigh + xLow < 1e16) k++;
  else if (xHigh + xLow >= 1e17) k--;
  if (k < 0 || k > 22) return -1;
  xHigh = a * POWERS_HIGH[k];
  xLow = a * POWERS_LOW[k];
  // The numbers that read back as `a` lie within half a unit in the last place either side, the edges
  // included, as a's significand is even. (Below a power of two, where the units below are half as large,
  // the interval is narrower; no power of two in this range has a shorter decimal in the difference, as
  // the tests check for each of them.)
  words[HIGH_WORD] = (e - 1 + 1023) << 20;
  words[1 - HIGH_WORD] = 0;
  const half = double[0] * EXACT_POWERS[k];
  // x = high * 10^8 + rest, rest in [0, 10^8) and exact to within MARGIN.
  let highDigits = Math.floor((xHigh + xLow) / 1e8);
  let rest = xHigh - highDigits * 1e8 + xLow;
  if (rest < 0) {
    highDigits--;
    rest += 1e8;
  } else if (rest >= 1e8) {
    highDigits++;
    rest -= 1e8;
  }
  const low = rest - half;
  const top = rest + half;
  // The fewest digits: the multiple of the largest power of ten in [low, top], the nearer one to `rest`
  // when two are. Past 10^1 there is at most one, and seldom any: most values take 16 or 17 digits.
  const hundreds = rest - Math.floor(rest / 100) * 100;
  let restDigits = -1;
  for (let t = hundreds > half + MARGIN && 100 - hundreds > half + MARGIN ? 1 : 8; t >= 0; t--) {
    const step = EXACT_POWERS[t];
    const under = Math.floor(rest / step) * step;
    const over = under + step;
    if (Math.abs(under - low) < MARGIN || Math.abs(under - top) < MARGIN || Math.abs(over - low) < MARGIN || Math.abs(over - top) < MARGIN) return -1;
    const underIn = under >= low;
    const overIn = over <= top;
    if (underIn && overIn) {
      if (Math.abs(rest - under - (over - rest)) < MARGIN) return -1;
      restDigits = rest - under < over - rest ? under : over;
    } else if (underIn) restDigits = under;
    else if (overIn) restDigits = over;
    else continue;
    break;
  }
  if (restDigits < 0) return -1;
  if (restDigits >= 1e8) {
    highDigits++;
    restDigits -= 1e8;
  }
  return writeDigits(out, at, highDigits, restDigits, k);
}

/**
 * Writes (high * 10^8 + rest) / 10^k as JavaScript writes a number: the point after the integer digits
 * ("0.00ddd" below 1), no trailing zeros after the point, and no point when nothing follows it.
 */
function writeDigits(out: Uint8Array, at: number, high: number, rest: number, k: number): number {
  const count = (high >= 1e9 ? 10 : high >= 1e8 ? 9 : 8) + 8;
  // Digits before the point: fewer than count, as k > 0 for values below 1e16.
  const point = count - k;
  const first = point > 0 ? at : at + 2 - point;
  if (point > 0) out[at + point] = Byte.Dot;
  else {
    out[at] = Byte.Zero;
    out[at + 1] = Byte.Dot;
    for (let i = at + 2; i < first; i++) out[i] = Byte.Zero;
  }
  // Digit i (from the left) goes to first + i, one further once past the point.
  const past = point > 0 ? point : count;
  let i = count - 1;
  let digits = rest | 0;
  for (; i >= count - 8; i--) {
    const tens = (digits / 10) | 0;
    out[first + i + (i >= past ? 1 : 0)] = Byte.Zero + digits - tens * 10;
    digits = tens;
  }
  digits = high | 0;
  for (; i >= 0; i--) {
    const tens = (digits / 10) | 0;
    out[first + i + (i >= past ? 1 : 0)] = Byte.Zero + digits - tens * 10;
    digits = tens;
  }
  let end = first + count + (point > 0 ? 1 : 0);
  while (out[end - 1] === Byte.Zero) end--;
  if (out[end - 1] === Byte.Dot) end--;
  return end;
}

/** Writes ASCII text byte by byte; returns where it ends. */
export function writeAscii(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}
