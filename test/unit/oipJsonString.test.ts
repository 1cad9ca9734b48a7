import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonString } from '../../src/core/oip/jsonString';

describe('a string as JSON text', () => {
  it("is JSON.stringify's text for names, escapes, control characters, non-ASCII and lone surrogates", () => {
    const cases = ['', 'Plus214_Output_0', '/v2/models/mnist/infer', 'a "quoted" name', 'back\\slash', 'tab\there', 'new\nline', '\u0000\u001f\u007f', 'caf\u00e9', '\u4e2d', '\ud83d\ude00', 'lone \ud800 high', 'lone \udc00 low', '~ !#[]'];
    for (const text of cases) assert.equal(jsonString(text), JSON.stringify(text), text);
  });

  it("is JSON.stringify's text for any string of UTF-16 code units", () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => jsonString(text) === JSON.stringify(text)), { numRuns: 2000 });
  });
});
