import * as assert from 'node:assert/strict';
import { parseInferenceRequestJson } from '../../src/core/oip/inferenceRequestJson';
import { typedDataFromNumbers, typedDataFromValues } from '../../src/core/oip/tensorValues';
import { seededNumbers } from '../support/seededNumbers';

/** JSON.parse's result with each Float64Array as the plain list of its numbers, for comparison. */
function plain(value: unknown): unknown {
  if (value instanceof Float64Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** The numbers of `data` given as text, parsed both ways; every one must be the same double (-0 included). */
function assertSameNumbers(texts: string[]): void {
  const body = Buffer.from(`{"inputs":[{"name":"x","shape":[${texts.length}],"datatype":"FP64","data":[${texts.join(',')}]}]}`);
  const data = (parseInferenceRequestJson(body) as { inputs: { data: Float64Array }[] }).inputs[0].data;
  assert.ok(data instanceof Float64Array);
  const expected = JSON.parse(`[${texts.join(',')}]`) as number[];
  texts.forEach((text, i) => assert.ok(Object.is(data[i], expected[i]), `${text}: ${data[i]} but JSON.parse gives ${expected[i]}`));
}

/** The message of what `f` throws. */
function errorMessageOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('nothing was thrown');
}

function jsonParseError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${text} parses`);
}

describe('the inference request scanner (JSON straight into typed arrays)', () => {
  it('reads every JSON number form as JSON.parse does', () => {
    assertSameNumbers(['0', '-0', '1', '-1', '255', '0.5', '-0.5', '0.0', '-0.0', '0.1', '0.2', '0.30000000000000004', '1e0', '1E2', '1e+2', '1e-2', '-1.5E-3', '0e10', '-0e-10']);
    assertSameNumbers(['123456789012345', '9007199254740991', '9007199254740992', '9007199254740993', '18446744073709551615', '123456789012345678901234567890']);
    assertSameNumbers(['1e308', '1.7976931348623157e308', '1e309', '-1e400', '5e-324', '1e-400', '2.2250738585072014e-308', '4.9e-324']);
    assertSameNumbers(['0.000000000000000000001', '0.0000000000000000000000001', '0.00000000000000000000000000000000000000000000', '1.0000000000000000000000', '100000000000000000000000000']);
    assertSameNumbers(['0.03529411764705882', '0.0035294117499142885', '3.141592653589793', '2.718281828459045', '1.2345678901234567e-7']);
  });

  it('reads random doubles and float32 values as JSON.parse does', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const values = Array.from({ length: 5000 }, (_, i) => {
      const x = (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
      return i % 2 ? Math.fround(x) : x;
    });
    assertSameNumbers(values.map(String));
    assertSameNumbers(values.map((v) => v.toExponential(Math.floor(random() * 18))));
    assertSameNumbers(values.map((v) => v.toFixed(Math.floor(random() * 25))));
  });

  it('gives what JSON.parse gives for the rest of the body, flat numeric data as a typed array and nested data as lists', () => {
    const bodies = [
      { id: 'r1', parameters: { binary_data_output: false, n: 1.5 }, inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP32', data: [[1, 2], [3, 4]] }], outputs: [{ name: 'y', parameters: { binary_data: true } }] },
      { inputs: [{ name: 'x', shape: [3], datatype: 'BYTES', data: ['a', 'b\u00e9\u4e2d\ud83d\ude00', ''] }] },
      { inputs: [{ name: 'x', shape: [2], datatype: 'BOOL', data: [true, false] }, { name: 'z', shape: [0], datatype: 'FP32', data: [[], []] }] },
      { inputs: [{ name: 'x', shape: [3], datatype: 'FP32', data: [1, 'two', 3] }] },
      { inputs: [{ name: 'x', shape: [2], datatype: 'INT64', data: [[1], [null]] }] },
      { inputs: [{ name: 'x', data: { not: 'a list' } }, 7, null, 'text'], other: [1, 2, 3] },
      { data: [1, 2, 3], parameters: { data: [4] } },
      [1, 2, 3],
      'just a string',
      42,
      null,
    ];
    for (const body of bodies) assertAsJsonParse(JSON.stringify(body));
    const first = parseInferenceRequestJson(Buffer.from(JSON.stringify(bodies[0]))) as { inputs: { data: unknown }[] };
    assert.ok(Array.isArray(first.inputs[0].data), 'nested data stays nested, for its structure to be checked against the shape');
    const flat = parseInferenceRequestJson(Buffer.from('{"inputs":[{"data":[1,2,3]}]}')) as { inputs: { data: unknown }[] };
    assert.ok(flat.inputs[0].data instanceof Float64Array);
    assert.ok(Array.isArray((parseInferenceRequestJson(Buffer.from(JSON.stringify(bodies[6]))) as { data: unknown }).data), 'a "data" outside the inputs stays a list');
  });

  it('takes every JSON whitespace, escapes, repeated keys and a "__proto__" key as JSON.parse does', () => {
    for (const text of [
      ' \t\r\n{ "inputs" : [ { "name" : "x" , "data" : [ 1 , [ 2 ,\n3 ] ] } ] }\n ',
      '{"inputs":[{"name":"a\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00","data":[1]}]}',
      '{"__proto__":{"inputs":1},"inputs":[]}',
      '{"inputs":[{"name":"x","name":"y","data":[1],"data":[2,3]}]}',
      '{"inputs":[{"data":[ 1 ,2\n,\t30\r\n, 0 ,0,7 ,255]}]}',
      '{"inputs":[{"data":[12.5,0.25,3e2,-4,40E-1,0,123456789012345,1234567890123456]}]}',
      '{"inputs":[{"data":[0,0, 0,\t0,\n-0,0.0,0e1,0,0]}]}',
      '{"inputs":[{"data":[0]},{"data":[0,1]},{"data":[1,0]},{"data":[0,[0]]},{"data":[0,"0"]}]}',
    ]) {
      assertAsJsonParse(text);
    }
    assert.equal(Object.getPrototypeOf(parseInferenceRequestJson(Buffer.from('{"__proto__":{"a":1}}'))), Object.prototype);
  });

  it('refuses what JSON.parse refuses, with its message', () => {
    for (const text of [
      '{"inputs":[{"data":[0,]}]}',
      '{"inputs":[{"data":[0,,0]}]}',
      '{"inputs":[{"data":[00,1]}]}',
      '',
      '{"inputs": [',
      '{"inputs":[{"data":[1,2,]}]}',
      '{"inputs":[{"data":[01]}]}',
      '{"inputs":[{"data":[1.]}]}',
      '{"inputs":[{"data":[.5]}]}',
      '{"inputs":[{"data":[-]}]}',
      '{"inputs":[{"data":[+1]}]}',
      '{"inputs":[{"data":[1e]}]}',
      '{"inputs":[{"data":[1e+]}]}',
      '{"inputs":[{"data":[NaN]}]}',
      '{"inputs":[{"data":[Infinity]}]}',
      '{"inputs":[{"data":[0x10]}]}',
      '{"inputs":[{"data":[1 2]}]}',
      '{"inputs":[{"data":[[1,2]}]}',
      '{"inputs":[{"data":[1,"a]}]}',
      '{"inputs":[{"data":[tru]}]}',
      '{"a":1,}',
      '{"a" 1}',
      "{'a':1}",
      '{"a":"tab\there"}',
      '{"a":1} x',
      '\ufeff{"a":1}',
      '[1,2',
      'nul',
    ]) {
      assert.throws(() => parseInferenceRequestJson(Buffer.from(text)), { name: 'SyntaxError', message: jsonParseError(text) }, text);
    }
    const badUtf8 = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xe2, 0x28, 0xa1]), Buffer.from('"}')]);
    assert.deepEqual(parseInferenceRequestJson(badUtf8), JSON.parse(badUtf8.toString('utf8')));
    // Deeper than the scanner goes: JSON.parse's result, as it is.
    const deep = `{"inputs":[{"data":${'['.repeat(1000)}1${']'.repeat(1000)}}]}`;
    assert.equal(JSON.stringify(parseInferenceRequestJson(Buffer.from(deep))), deep);
  });

  it('reads many short strings that share slots of its recent-string cache as JSON.parse does, in any order', () => {
    // 3,000 keys and values of every length up to the cache's and past it, over 256 slots: most share one.
    const words = Array.from({ length: 3000 }, (_, i) => `${'k'.repeat(i % 40)}${i.toString(36)}`);
    for (const order of [words, [...words].reverse(), words.filter((_, i) => i % 7 === 3)]) {
      const text = JSON.stringify({ inputs: order.map((word, i) => ({ name: word, [word]: order[(i + 1) % order.length] })) });
      assert.deepEqual(parseInferenceRequestJson(Buffer.from(text)), JSON.parse(text));
    }
  });

  it('turns scanned numbers into tensor data with the same values and errors as JSON values', () => {
    const cases: [string, number[]][] = [
      ['float32', [0, -0, 0.1, 1e-50, 3.4e39, -7.25]],
      // Either side of the smallest magnitude that rounds to infinity in float32, 2^128 - 2^103.
      ['float32', [3.4028234663852886e38, 2 ** 128 - 2 ** 103 - 2 ** 75, -(2 ** 128 - 2 ** 103 - 2 ** 75)]],
      ['float32', [1, 2 ** 128 - 2 ** 103]],
      ['float32', [-(2 ** 128 - 2 ** 103)]],
      ['float64', [0.1, -0, 1e308]],
      ['float64', [1, Infinity]],
      ['float64', [-Infinity]],
      ['float16', [0.1, 65504, 1e6]],
      ['uint8', [0, 255]],
      ['uint8', [0, 256]],
      ['uint8', [1.5]],
      ['int8', [-128, 127, -129]],
      ['int16', [-32768, 32767]],
      ['uint16', [-1]],
      ['int32', [2147483647, -2147483648]],
      ['uint32', [4294967295, 4294967296]],
      ['int64', [1, -2, 2 ** 53]],
      ['int64', [0.5]],
      ['uint64', [-1]],
      ['bool', [1, 0]],
      ['string', [1]],
      ['complex64', [1]],
    ];
    for (const [type, values] of cases) {
      const run = (f: () => unknown) => {
        try {
          return { value: f() };
        } catch (error) {
          return { error: (error as Error).message };
        }
      };
      assert.deepEqual(run(() => typedDataFromNumbers('x', type, Float64Array.from(values))), run(() => typedDataFromValues('x', type, values)), `${type} ${values.join(',')}`);
    }
  });

  it('reads runs of zeros of every length, ending every way, as JSON.parse does', () => {
    const next = seededNumbers(11);
    const random = (n: number) => next() % n;
    for (let body = 0; body < 300; body++) {
      const texts: string[] = [];
      while (texts.length < 40) {
        const run = random(10);
        for (let i = 0; i < run; i++) texts.push('0');
        texts.push(['1', '0.5', '-0', '0e1', '0.0', '7'][random(6)]);
      }
      const separator = body % 5 === 0 ? ', ' : ',';
      for (const datatype of ['FP32', 'FP64']) {
        const text = `{"inputs":[{"name":"x","datatype":"${datatype}","data":[${texts.join(separator)}]}]}`;
        const data = (parseInferenceRequestJson(Buffer.from(' '.repeat(body % 4) + text)) as { inputs: { data: Float32Array | Float64Array }[] }).inputs[0].data;
        assert.deepEqual(Array.from(data), (JSON.parse(text) as { inputs: { data: number[] }[] }).inputs[0].data, text);
      }
    }
    // A run longer than the scratch buffers, and one that ends the list.
    const zeros = `[${Array.from({ length: 5001 }, () => '0').join(',')}]`;
    for (const datatype of ['FP32', 'FP64']) {
      const data = (parseInferenceRequestJson(Buffer.from(`{"inputs":[{"datatype":"${datatype}","data":${zeros}}]}`)) as { inputs: { data: Float32Array }[] }).inputs[0].data;
      assert.equal(data.length, 5001);
      assert.ok(data.every((v) => Object.is(v, 0)));
    }
  });

  it('reads the numbers of an input that says FP32 before its data straight into float32 values', () => {
    const texts = ['0', '-0', '0.1', '1e-50', '3.4e38', '-7.25', '255', '16777217', '0.30000000000000004'];
    const inputOf = (text: string) => (parseInferenceRequestJson(Buffer.from(text)) as { inputs: { data: unknown }[] }).inputs[0].data;
    const floats = inputOf(`{"inputs":[{"name":"x","datatype":"FP32","shape":[${texts.length}],"data":[${texts.join(',')}]}]}`);
    assert.ok(floats instanceof Float32Array);
    texts.forEach((text, i) => assert.ok(Object.is(floats[i], Math.fround(JSON.parse(text) as number)), `${text}: ${floats[i]}`));
    // The datatype after the data, or another one: doubles, as JSON.parse reads them.
    assert.ok(inputOf(`{"inputs":[{"name":"x","shape":[1],"data":[0.1],"datatype":"FP32"}]}`) instanceof Float64Array);
    assert.ok(inputOf(`{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":[0.1]}]}`) instanceof Float64Array);
  });

  it("reads an FP32 input's list with a value beyond float32's range as doubles, so that its error names the value", () => {
    for (const beyond of ['3.5e38', '-1e39', '1e400']) {
      const body = `{"inputs":[{"name":"x","datatype":"FP32","shape":[3],"data":[1.5,${beyond},2]}]}`;
      const data = (parseInferenceRequestJson(Buffer.from(body)) as { inputs: { data: unknown }[] }).inputs[0].data as Float64Array;
      assert.ok(data instanceof Float64Array, beyond);
      assert.deepEqual(Array.from(data), JSON.parse(`[1.5,${beyond},2]`));
      const numbers = errorMessageOf(() => typedDataFromNumbers('x', 'float32', data));
      assert.match(numbers, /too large for float32/);
      assert.equal(numbers, errorMessageOf(() => typedDataFromValues('x', 'float32', JSON.parse(`[1.5,${beyond},2]`) as number[])));
    }
  });

  it('keeps float32 and double lists of one body apart, past the first size of either buffer', () => {
    const doubles = Array.from({ length: 3000 }, (_, i) => i + 0.1);
    const floats = Array.from({ length: 2500 }, (_, i) => -i - 0.5);
    const body = JSON.stringify({ inputs: [
      { name: 'a', datatype: 'FP32', data: [0.1, 0.2] },
      { name: 'b', datatype: 'FP64', data: doubles },
      { name: 'c', datatype: 'FP32', data: floats },
      { name: 'd', datatype: 'FP64', data: [7, 8] },
    ] });
    const { inputs } = parseInferenceRequestJson(Buffer.from(body)) as { inputs: { data: Float32Array | Float64Array }[] };
    assert.deepEqual(inputs.map((input) => input.data.constructor), [Float32Array, Float64Array, Float32Array, Float64Array]);
    assert.deepEqual(Array.from(inputs[0].data), [0.1, 0.2].map(Math.fround));
    assert.deepEqual(Array.from(inputs[1].data), doubles);
    assert.deepEqual(Array.from(inputs[2].data), floats.map(Math.fround));
    assert.deepEqual(Array.from(inputs[3].data), [7, 8]);
  });

  it("keeps each input's numbers apart from the others' in a body of several inputs", () => {
    const body = Buffer.from('{"inputs":[{"name":"a","data":[1,2,3]},{"name":"b","data":[4.5,5]},{"name":"c","data":["x"]},{"name":"d","data":[6]}]}');
    const { inputs } = parseInferenceRequestJson(body) as { inputs: { data: unknown }[] };
    assert.deepEqual(inputs.map((input) => plain(input.data)), [[1, 2, 3], [4.5, 5], ['x'], [6]]);
  });

  it("makes tensor data that keeps its values when the next body's numbers are scanned, for every element type", () => {
    const numbersOf = (text: string) => (parseInferenceRequestJson(Buffer.from(`{"inputs":[{"data":${text}}]}`)) as { inputs: { data: Float64Array }[] }).inputs[0].data;
    for (const type of ['float32', 'float64', 'int32', 'uint8', 'int64']) {
      const data = typedDataFromNumbers('x', type, numbersOf('[1,2,3]'));
      numbersOf('[7,7,7]');
      assert.deepEqual(Array.from(data as ArrayLike<number | bigint>, Number), [1, 2, 3], `${type}: the next scan wrote over the tensor's values`);
    }
  });
});

/**
 * The scanner's result is JSON.parse's, except that an input's data of numbers only comes flattened into a
 * Float64Array.
 */
function assertAsJsonParse(text: string): void {
  const parsed = JSON.parse(text) as unknown;
  const inputs = (parsed as { inputs?: unknown } | null)?.inputs;
  // Flat lists of numbers come as typed arrays (compared here as lists); nested ones stay as JSON.parse gives them.
  const numbersOnly = (data: unknown) => Array.isArray(data) && data.every((v) => typeof v === 'number');
  const expected =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Array.isArray(inputs)
      ? { ...parsed, inputs: inputs.map((input: unknown) => (typeof input === 'object' && input !== null && numbersOnly((input as { data?: unknown }).data) ? { ...input, data: [...(input as { data: number[] }).data] } : input)) }
      : parsed;
  assert.deepEqual(plain(parseInferenceRequestJson(Buffer.from(text))), expected, text);
}
