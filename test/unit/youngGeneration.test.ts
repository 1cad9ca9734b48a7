import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const MODULE = path.join(__dirname, '..', '..', 'src', 'runtime', 'youngGeneration.js');

/**
 * The young generation's size, in MB, after a fresh Node process allocates as a server under load does:
 * many short-lived objects while a few (the requests in flight) stay alive; `grow`: after
 * growYoungGenerationAtOnce.
 */
function youngGenerationAfterLoad(grow: boolean): number {
  const script = `
    const v8 = require('node:v8');
    if (${grow}) require(${JSON.stringify(MODULE)}).growYoungGenerationAtOnce();
    const inFlight = new Array(64);
    for (let i = 0; i < 300000; i++) inFlight[i % 64] = { id: i, text: 'x'.repeat(300) + i };
    console.log(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20);`;
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim());
}

describe('the young generation', function () {
  this.timeout(30_000);

  it("grows to V8's largest (two 16 MB semi-spaces) under a server's allocation pattern, where by default it stops halfway", () => {
    assert.equal(youngGenerationAfterLoad(true), 32);
    assert.ok(youngGenerationAfterLoad(false) < 32, 'the default grows it more slowly: the comparison shows the call at work');
  });
});
