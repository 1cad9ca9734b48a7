import * as assert from 'node:assert/strict';
import { DeadlineSweep, deadlineSweep, type Expiring } from '../../src/runtime/deadlineSweep';
import { seededNumbers } from '../support/seededNumbers';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deadlines checked by one timer', () => {
  it('calls each expiry once its own length has passed, never before, in the order they were added', async () => {
    const sweep = new DeadlineSweep(80);
    const expired: [string, number][] = [];
    const started = performance.now();
    const expiry = (name: string) => ({ expire: () => expired.push([name, performance.now() - started]), deadlineSlot: -1 });
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
    const cancelled = { expire: () => expired.push('cancelled'), deadlineSlot: -1 };
    sweep.add(cancelled);
    sweep.add({ expire: () => expired.push('kept'), deadlineSlot: -1 });
    sweep.cancel(cancelled);
    await sleep(100);
    assert.deepEqual(expired, ['kept']);
    // Nothing was pending at the last check, so its timer stopped; a new deadline must start it again.
    sweep.add({ expire: () => expired.push('later'), deadlineSlot: -1 });
    await sleep(100);
    assert.deepEqual(expired, ['kept', 'later']);
  });

  it('expires exactly the deadlines not cancelled, each once, whatever the order they were cancelled in', async () => {
    const sweep = new DeadlineSweep(20);
    const expired: number[] = [];
    const deadlines: Expiring[] = Array.from({ length: 200 }, (_, i) => ({ expire: () => void expired.push(i), deadlineSlot: -1 }));
    for (const deadline of deadlines) sweep.add(deadline);
    const next = seededNumbers(5);
    const cancelled = new Set<number>();
    while (cancelled.size < 120) cancelled.add(next() % 200);
    for (const i of cancelled) sweep.cancel(deadlines[i]);
    sweep.cancel(deadlines[[...cancelled][0]]); // twice: nothing more
    // One that expires cancels others, as a request's end can: they must not expire after.
    const first = deadlines.findIndex((_, i) => !cancelled.has(i));
    const others = deadlines.filter((_, i) => !cancelled.has(i) && i !== first).slice(0, 10);
    deadlines[first].expire = () => {
      expired.push(first);
      for (const other of others) sweep.cancel(other);
    };
    await sleep(100);
    const expected = deadlines.map((_, i) => i).filter((i) => !cancelled.has(i));
    const expiredOrCancelledBy = new Set(expired);
    assert.equal(expired.length, expiredOrCancelledBy.size, 'none twice');
    assert.ok(expected.every((i) => expiredOrCancelledBy.has(i) || others.includes(deadlines[i])), 'every one not cancelled expired');
    assert.ok(expired.every((i) => !cancelled.has(i)), 'no cancelled one expired');
    assert.ok(deadlines.every((d) => d.deadlineSlot === -1), 'none pending');
  });

  it('is one sweep per length', () => {
    assert.equal(deadlineSweep(1234), deadlineSweep(1234));
    assert.notEqual(deadlineSweep(1234), deadlineSweep(1235));
  });
});
