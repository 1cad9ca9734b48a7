import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import autocannon from 'autocannon';
import type Docker from 'dockerode';
import { cli } from '../support/cliProcess';
import { docker, exampleProject, type TestProject } from '../integration/engineFixture';
import { recordFigure } from './figures';

const CONNECTIONS = 64;
const SECONDS = Number(process.env.MODELDEPLOY_SOAK_SECONDS || 60);
/** "Flat": the memory at the end within this much of the memory once the load has settled. */
const MEMORY_GROWTH_BOUND = 32 * 1024 * 1024;
const MB = 1024 * 1024;

/** The container's memory in use as `docker stats` shows it: the cgroup's usage less the reclaimable page cache. */
async function memoryInUse(container: Docker.Container): Promise<number> {
  const stats = (await container.stats({ stream: false })) as unknown as { memory_stats: { usage?: number; stats?: Record<string, number> } };
  const { usage, stats: detail = {} } = stats.memory_stats;
  assert.ok(usage !== undefined, `the engine reports no memory usage: ${JSON.stringify(stats.memory_stats)}`);
  return usage - (detail.inactive_file ?? detail.total_inactive_file ?? 0);
}

const afterSeconds = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

describe(`load soak: ${SECONDS} s at ${CONNECTIONS} keep-alive connections against the iris image in its container`, function () {
  this.timeout((SECONDS + 600) * 1000);
  let project: TestProject;
  let url: string;
  let container: Docker.Container;

  before(() => {
    assert.ok(Number.isFinite(SECONDS) && SECONDS >= 3, `MODELDEPLOY_SOAK_SECONDS=${process.env.MODELDEPLOY_SOAK_SECONDS} is not a number of seconds (3 or more)`);
    project = exampleProject('iris');
    const build = cli(['build', '--project', project.dir]);
    assert.equal(build.code, 0, build.stderr);
    const run = cli(['run', '--json', '--project', project.dir]);
    assert.equal(run.code, 0, run.stderr);
    const started = JSON.parse(run.stdout) as { container: string; url: string };
    url = started.url;
    container = docker.getContainer(started.container);
  });
  after(async () => project?.cleanup());

  it('answers every request with 200, reports p50 and p99, and its memory stays flat', async () => {
    const body = fs.readFileSync(path.join(project.dir, 'sample.json'));
    const settleS = Math.min(10, SECONDS / 3);
    const idle = await memoryInUse(container);
    const load = autocannon({ url: `${url}/v2/models/${project.name}/infer`, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections: CONNECTIONS, duration: SECONDS });
    // Memory once the load has settled, half-way, and as it ends; each read takes the engine a second or two.
    const samples = (async () => {
      await afterSeconds(settleS);
      const settled = await memoryInUse(container);
      await afterSeconds(Math.max(0, SECONDS / 2 - settleS - 2));
      const middle = await memoryInUse(container);
      return { settled, middle };
    })();
    const result = await load;
    const end = await memoryInUse(container);
    const { settled, middle } = await samples;

    const errors = result.errors + result.timeouts + result.non2xx;
    const growth = end - settled;
    const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
    recordFigure('soak', `${SECONDS} s at ${CONNECTIONS} connections: requests, errors`, `${result.requests.total} requests (${Math.round(result.requests.average)}/s), ${errors} errors (${result.errors} socket, ${result.timeouts} timeouts, ${result.non2xx} non-2xx)`, errors === 0 && result.requests.total > 0);
    recordFigure('soak', 'latency p50 / p99', `${result.latency.p50} ms / ${result.latency.p99} ms`, true);
    recordFigure('soak', `container memory flat (end within ${mb(MEMORY_GROWTH_BOUND)} of ${settleS} s)`, `idle ${mb(idle)}, at ${settleS} s ${mb(settled)}, middle ${mb(middle)}, end ${mb(end)} (${growth >= 0 ? '+' : ''}${mb(growth)})`, growth <= MEMORY_GROWTH_BOUND);

    assert.ok(result.requests.total > 0, 'requests were answered');
    assert.equal(errors, 0, `${result.errors} socket errors, ${result.timeouts} timeouts, ${result.non2xx} answers other than 2xx`);
    assert.ok(growth <= MEMORY_GROWTH_BOUND, `the container's memory grew ${mb(growth)} between ${settleS} s and the end`);
    const inspect = await container.inspect();
    assert.equal(inspect.State.Running, true, 'the container still runs');
    assert.equal(inspect.RestartCount, 0);
  });
});
