import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { inferenceResponseJson, toJson } from '../../src/core/oip/encodeOutput';
import type { OipInferenceResponseHeader } from '../../src/core/oip/oipTypes';

describe('the inference response writer', () => {
  it('writes the bytes toJson writes for the responses the server makes', () => {
    const responses: unknown[] = [
      { model_name: 'mnist', model_version: '1', outputs: [{ name: 'Plus214_Output_0', shape: [1, 10], datatype: 'FP32', data: [-552.7099609375, 138.26901245117188, 0.30000001192092896, -0, 1e-7, 2e21] }] },
      // A classifier's names, a request id, and an output whose scores are not numbers (NaN and Infinity: null).
      { model_name: 'iris', model_version: '2.0.0', id: 'request "7"\n', outputs: [{ name: 'probabilities', shape: [1, 3], datatype: 'FP32', data: [NaN, Infinity, 0.5], parameters: { class_names: ['virginica'] } }] },
      // 64-bit integers beyond 2^53, exact; booleans; strings with escapes.
      { model_name: 'types', model_version: '1', outputs: [{ name: 'y_int64', shape: [2], datatype: 'INT64', data: [2n ** 62n, -3] }, { name: 'y_bool', shape: [2], datatype: 'BOOL', data: [true, false] }, { name: 'y_string', shape: [1], datatype: 'BYTES', data: ['a\u0000"\u4e2d'] }] },
      // Outputs sent as binary: no data, a binary_data_size; keys left undefined are left out.
      { model_name: 'm', model_version: undefined, id: undefined, outputs: [{ name: 'y', shape: [0, 2], datatype: 'FP64', parameters: { binary_data_size: 0 } }] },
      { model_name: 'm', outputs: [], parameters: { extra: [1, { a: 2 }] } },
      { outputs: [{ data: [1], name: 'y', datatype: 'UINT8', shape: [1], other: { nested: 'kept in its place' }, toString: [], constructor: 1 }], model_name: 'keys in another order, and keys an object inherits' },
    ];
    for (const response of responses) assert.equal(inferenceResponseJson(response as OipInferenceResponseHeader), toJson(response));
  });

  it('writes the bytes toJson writes for any response of JSON values', () => {
    const text = fc.string({ unit: 'binary' });
    const value = fc.oneof(fc.double(), fc.integer(), fc.boolean(), text, fc.constant(undefined), fc.constant(null), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }));
    // Objects nested in an output (its parameters), also without a prototype, with a toJSON, or holding functions.
    const nested = fc.oneof(
      fc.dictionary(text, value),
      fc.dictionary(text, value).map((entries) => Object.assign(Object.create(null) as object, entries)),
      fc.dictionary(text, value).map((entries) => ({ ...entries, toJSON: () => 'replaced' })),
      fc.dictionary(text, value).map((entries) => ({ ...entries, run: () => 1 })),
      fc.date({ noInvalidDate: true }),
    );
    const output = fc.dictionary(fc.oneof(fc.constantFrom('name', 'shape', 'datatype', 'data', 'parameters'), text), fc.oneof(value, fc.array(value), nested, fc.dictionary(text, nested)));
    const response = fc.record({ model_name: text, model_version: fc.option(text, { nil: undefined }), id: fc.option(text, { nil: undefined }), outputs: fc.array(output, { maxLength: 4 }) });
    fc.assert(fc.property(response, (r) => inferenceResponseJson(r as unknown as OipInferenceResponseHeader) === toJson(r)), { numRuns: 500 });
  });
});
