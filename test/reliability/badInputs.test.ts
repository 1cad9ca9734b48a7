import * as assert from 'node:assert/strict';
import { startServer, type ModelServer } from '../../src/runtime/startServer';
import { buildVersion, irisProject, V1, type DeployProject } from '../integration/deployFixture';
import { IRIS, LABELS } from '../support/servingFixture';
import { CASE_TIME_LIMIT_MS, runCliCase, type CaseOutcome } from './badInputCases/cliCase';
import { configCases } from './badInputCases/configCases';
import { dataCases } from './badInputCases/dataCases';
import { runDeployCase } from './badInputCases/deployCaseRun';
import { deployCases } from './badInputCases/deployCases';
import { modelCases } from './badInputCases/modelCases';
import { runRequestCase } from './badInputCases/requestCaseRun';
import { BODY_LIMIT_BYTES, BODY_TIMEOUT_MS, MODEL, requestCases } from './badInputCases/requestCases';
import { recordFigure } from './figures';

/** Per category: how many cases ran (a case that hangs or fails counts too), how many got their clear refusal, the slowest, what they left behind. */
interface Tally {
  cases: number;
  clear: number;
  slowestSeconds: number;
  leftovers: number;
}

const tallies = new Map<string, Tally>();

/** Runs one case and counts it in its category (a refusal that is not clear throws before it is counted). */
async function tallied(category: string, run: () => Promise<CaseOutcome>): Promise<void> {
  const tally = tallies.get(category) ?? { cases: 0, clear: 0, slowestSeconds: 0, leftovers: 0 };
  tallies.set(category, tally);
  tally.cases++;
  const outcome = await run();
  tally.slowestSeconds = Math.max(tally.slowestSeconds, outcome.seconds);
  tally.clear++;
  tally.leftovers += outcome.leftovers.length;
  assert.deepEqual(outcome.leftovers, [], 'nothing left behind');
}

function category<T extends { name: string }>(name: string, cases: T[], run: (c: T) => Promise<CaseOutcome>): void {
  for (const c of cases) it(c.name, () => tallied(name, () => run(c)));
}

describe('bad inputs: a clear error with its location, the designed exit code or status, no crash, no hang, no leftover', function () {
  this.timeout(CASE_TIME_LIMIT_MS + 30_000);

  after(() => {
    for (const [name, t] of tallies) {
      const figure = `${t.cases} cases, ${t.clear} clear errors, slowest ${t.slowestSeconds.toFixed(2)} s, leftovers ${t.leftovers}`;
      recordFigure('bad inputs', name, figure, t.clear === t.cases && t.leftovers === 0);
    }
  });

  describe('configs', () => category('configs', configCases, runCliCase));
  describe('models', () => category('models', modelCases, runCliCase));
  describe('data files', () => category('data files', dataCases, runCliCase));

  describe('requests to the runtime', () => {
    let server: ModelServer;
    before(async () => {
      server = await startServer({ modelFile: IRIS, identity: { name: MODEL, version: '2.0.0', labels: LABELS }, port: 0, host: '127.0.0.1', maxBodyBytes: BODY_LIMIT_BYTES, requestTimeoutMs: BODY_TIMEOUT_MS });
      await server.ready;
    });
    after(() => server?.close());
    category('requests', requestCases, (c) => runRequestCase(server.url, c));
  });

  describe('deploy inputs', () => {
    let project: DeployProject;
    before(async function () {
      this.timeout(600_000);
      project = irisProject('bad-deploy');
      await buildVersion(project, V1);
    });
    after(() => project?.cleanup());
    category('deploys', deployCases, (c) => runDeployCase(project, c));
  });
});
