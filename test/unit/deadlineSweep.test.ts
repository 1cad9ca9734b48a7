import * as assert from 'node:assert/strict';
import { DeadlineSweep, deadlineSweep } from '../../src/runtime/deadlineSweep';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deadlines checked by one timer', () => {
  it('calls each expiry once its own length has passed, never before, in the order they were added', async () => {
    const sweep = new DeadlineSweep(80);
    const expired: [string, number][] = [];
    const started = performance.now();
    const expiry = (name: string) => ({ expire: () => expired.push([name, performance.now() - started]) });
    sweep.add(expiry('first'));
    await sleep(30);
    sweep.add(expiry('second'));
    await sleep(30);
    assert.equal(expired.length, 0, 'nothing is due yet');
    await sleep(150);
    assert.deepEqual(expired.map(([name]) => name), ['first', 'second']);
    assert.ok(expired[0][1] >= 80, `the first expired after ${expired[0][1]} ms`);
    assert.ok(expired[1][1] >= 110, `the second, added 30 ms later, expired after ${expired[1][1]} ms`);
  });

  it('does not call an expiry that was cancelled, and starts again after it went idle', async () => {
    const sweep = new DeadlineSweep(20);
    const expired: string[] = [];
    const cancelled = { expire: () => expired.push('cancelled') };
    sweep.add(cancelled);
    sweep.add({ expire: () => expired.push('kept') });
    sweep.cancel(cancelled);
    await sleep(100);
    assert.deepEqual(expired, ['kept']);
    // Nothing was pending at the last check, so its timer stopped; a new deadline must start it again.
    sweep.add({ expire: () => expired.push('later') });
    await sleep(100);
    assert.deepEqual(expired, ['kept', 'later']);
  });

  it('is one sweep per length', () => {
    assert.equal(deadlineSweep(1234), deadlineSweep(1234));
    assert.notEqual(deadlineSweep(1234), deadlineSweep(1235));
  });
});
