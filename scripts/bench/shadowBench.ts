import { ROUTER_SHADOW_METRICS } from '../../src/core/deploy/routerMetricNames';
import type { OipInferenceRequest } from '../../src/core/oip/oipTypes';
import type { BenchRow } from './benchTable';
import { median } from './measure';
import { startBenchRouter } from './routerBench';
import { DURATION_S, firstDigit, get, paced, ROUNDS, startRuntime, where, withFreeBatchMnist, type Load } from './servingBench';

/** A steady rate a laptop's environment sees, well under what the router and the model serve flat out. */
const RATE = 100;

/**
 * Shadow mode's cost to the client: the p50 latency of MNIST digits through the router at a steady
 * rate while a shadow gets a copy of each request (the router captures both bodies, mirrors the request
 * after the answer is sent, and compares the answers), against the same router, active runtime and
 * load with no shadow set; the shadow's runtime runs throughout, so both turns share the machine alike.
 * Turns alternate; the medians of their p50s are compared.
 */
export async function shadowBench(): Promise<BenchRow> {
  return withFreeBatchMnist(async (model) => {
    const [activePort, shadowPort, routerPort] = [19_501, 19_502, 19_503];
    const children = [];
    try {
      for (const port of [activePort, shadowPort]) {
        children.push(await startRuntime(model, 'mnist', port));
      }
      const router = await startBenchRouter(activePort, routerPort);
      children.push(router.child);
      const request: OipInferenceRequest = { inputs: [{ name: 'Input3', shape: [1, 1, 28, 28], datatype: 'FP32', data: firstDigit() }] };
      const body = Buffer.from(JSON.stringify(request));
      const headers = { 'content-type': 'application/json' };
      const infer = `http://127.0.0.1:${routerPort}/v2/models/mnist/infer`;
      const answer = await get(infer, body, headers);
      if (answer.status !== 200) throw new Error(`the router answered ${answer.status}: ${answer.body.toString().slice(0, 200)}`);
      const shadow = { url: `http://127.0.0.1:${shadowPort}`, compare: { output: 'Plus214_Output_0', task: 'classification' } };
      const turn = async (withShadow: boolean): Promise<Load> => {
        const { status } = withShadow ? await router.admin('PUT', '/shadow', shadow) : await router.admin('DELETE', '/shadow');
        if (status !== 200) throw new Error(`the router answered ${status} to ${withShadow ? 'PUT' : 'DELETE'} /shadow`);
        return paced(infer, RATE, body, headers);
      };
      const runs: { ours: Load[]; reference: Load[] } = { ours: [], reference: [] };
      for (let round = 0; round < ROUNDS; round++) {
        runs.reference.push(await turn(false));
        runs.ours.push(await turn(true));
      }
      // The shadow must have had its copies, or the row would measure nothing.
      const metrics = (await router.admin('GET', '/metrics')).text;
      const count = (name: string) => metrics.split('\n').filter((line) => line.startsWith(name)).reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
      const sent = ROUNDS * RATE * DURATION_S;
      const mirrored = count(ROUTER_SHADOW_METRICS.requests);
      const compared = count(ROUTER_SHADOW_METRICS.compared);
      if (mirrored < sent * 0.99) throw new Error(`the shadow answered ${mirrored} copies of the ${sent} requests sent with it`);
      const p50 = (loads: Load[]) => median(loads.map((l) => l.p50));
      const p99 = (loads: Load[]) => median(loads.map((l) => l.p99));
      const errors = runs.ours.reduce((n, l) => n + l.errors, 0);
      return {
        name: `shadow mode: client p50 latency through the router, MNIST at a steady ${RATE} req/s`,
        ours: p50(runs.ours),
        reference: p50(runs.reference),
        unit: 'ms',
        maxRatio: 1.1,
        note: `reference: the same router, active runtime and load with no shadow set (the shadow's runtime idles beside it); the router, both runtimes on the server core; ${where()}; an open-loop load of ${RATE} req/s, medians of ${ROUNDS} alternating turns of ${DURATION_S} s; p99 ${p99(runs.ours).toFixed(2)} ms with the shadow, ${p99(runs.reference).toFixed(2)} ms without; the shadow answered ${mirrored} copies of ${sent} requests (${compared} compared, ${count(ROUTER_SHADOW_METRICS.skipped)} skipped); client errors ${errors}`,
      };
    } finally {
      for (const child of children) child.kill('SIGKILL');
    }
  });
}
