import * as assert from 'node:assert/strict';
import { ReloadThrottle } from '../../src/extension/reloadThrottle';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ReloadThrottle (engine events to view reloads)', () => {
  it('reloads at once on the first ask, and answers a burst within the window with one more reload at its end', async () => {
    let reloads = 0;
    const throttle = new ReloadThrottle(50, () => reloads++);
    throttle.request();
    assert.equal(reloads, 1, 'the first change shows without waiting');
    throttle.request();
    throttle.request();
    throttle.request();
    assert.equal(reloads, 1, 'asks within the window wait for its end');
    const deadline = Date.now() + 5_000;
    while (reloads < 2 && Date.now() < deadline) await sleep(10);
    assert.equal(reloads, 2, 'the burst costs one more reload');
    await sleep(200);
    assert.equal(reloads, 2, 'a window without asks ends quietly');
    throttle.request();
    assert.equal(reloads, 3, 'after a quiet window, the next ask reloads at once again');
    throttle.dispose();
  });

  it('drops what was asked when disposed', async () => {
    let reloads = 0;
    const throttle = new ReloadThrottle(20, () => reloads++);
    throttle.request();
    throttle.request();
    throttle.dispose();
    await sleep(100);
    assert.equal(reloads, 1);
  });
});
