import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { toJson } from '../../src/core/oip/encodeOutput';

describe('the JSON of an inference response (toJson)', () => {
  it("is JSON.stringify's text for a response without 64-bit integers", () => {
    const responses: unknown[] = [
      { model_name: 'mnist', model_version: '1', outputs: [{ name: 'Plus214_Output_0', shape: [1, 10], datatype: 'FP32', data: [-552.7099609375, 138.26901245117188, 0.30000001192092896, -0, 1e-7, 2e21] }] },
      // A classifier's names, a request id, and scores that are not numbers (NaN and Infinity: null).
      { model_name: 'iris', model_version: '2.0.0', id: 'request "7"\n', outputs: [{ name: 'probabilities', shape: [1, 3], datatype: 'FP32', data: [NaN, Infinity, 0.5], parameters: { class_names: ['virginica'] } }] },
      // Outputs sent as binary: no data, a binary_data_size; keys left undefined are left out.
      { model_name: 'm', model_version: undefined, id: undefined, outputs: [{ name: 'y', shape: [0, 2], datatype: 'FP64', parameters: { binary_data_size: 0 } }] },
    ];
    for (const response of responses) assert.equal(toJson(response), JSON.stringify(response));
    assert.equal(toJson(responses[1]), '{"model_name":"iris","model_version":"2.0.0","id":"request \\"7\\"\\n","outputs":[{"name":"probabilities","shape":[1,3],"datatype":"FP32","data":[null,null,0.5],"parameters":{"class_names":["virginica"]}}]}');
  });

  it('writes 64-bit integers as exact JSON numbers, beside the rest as JSON.stringify writes it', () => {
    const response = { model_name: 'types', outputs: [{ name: 'y_int64', shape: [3], datatype: 'INT64', data: [2n ** 62n + 1n, -(2n ** 63n), 3n] }, { name: 'y_string', shape: [1], datatype: 'BYTES', data: ['a\u0000"bigint:1"'] }] };
    assert.equal(toJson(response), '{"model_name":"types","outputs":[{"name":"y_int64","shape":[3],"datatype":"INT64","data":[4611686018427387905,-9223372036854775808,3]},{"name":"y_string","shape":[1],"datatype":"BYTES","data":["a\\u0000\\"bigint:1\\""]}]}');
  });

  it('writes any mix of 64-bit integers and other values as each alone would be written', () => {
    const value = fc.oneof(fc.double(), fc.boolean(), fc.string({ unit: 'binary' }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }));
    fc.assert(
      fc.property(fc.array(value), (data) => {
        const each = data.map((v) => (typeof v === 'bigint' ? v.toString() : JSON.stringify(v)));
        assert.equal(toJson({ data }), `{"data":[${each.join(',')}]}`);
      }),
      { numRuns: 300 },
    );
  });
});
