import * as assert from 'node:assert/strict';
import { elementCount } from '../../src/core/model/elementCount';

describe('the element count of dimensions', () => {
  it('multiplies the dimensions, frozen or not: one element for none, none for a zero', () => {
    assert.equal(elementCount([]), 1);
    assert.equal(elementCount([7]), 7);
    assert.equal(elementCount([2, 3, 4]), 24);
    assert.equal(elementCount(Object.freeze([1, 1, 28, 28])), 784);
    assert.equal(elementCount([0, 5]), 0);
  });
});
