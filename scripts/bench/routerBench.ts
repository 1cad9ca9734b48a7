import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BenchRow } from './benchTable';
import { median, REPO } from './measure';
import { withCpu } from './processCpu';
import { alternate, DURATION_S, firstDigit, get, load, ROUNDS, runtime, startServer, where, withFreeBatchMnist } from './servingBench';

export interface BenchRouter {
  child: ChildProcess;
  /** Its traffic port. */
  port: number;
  /** Calls its admin API with the token. */
  admin: (method: string, path: string, body?: unknown) => Promise<{ status: number; text: string }>;
}

/** The bundled router (`dist/router.js`) on the server core, forwarding to `upstreamPort`; ready once it forwards the runtime's readiness. */
export async function startBenchRouter(upstreamPort: number, port: number): Promise<BenchRouter> {
  const token = randomBytes(32).toString('hex');
  const env = {
    MODELDEPLOY_ROUTER_TOKEN: token,
    MODELDEPLOY_ROUTER_HOST: '127.0.0.1',
    MODELDEPLOY_ROUTER_PORT: String(port),
    MODELDEPLOY_ROUTER_ADMIN_PORT: String(port + 1),
    MODELDEPLOY_UPSTREAM: `http://127.0.0.1:${upstreamPort}`,
  };
  const child = await startServer([path.join(REPO, 'dist', 'router.js')], env, port, '/v2/health/ready');
  const admin = async (method: string, adminPath: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${port + 1}${adminPath}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, text: await response.text() };
  };
  return { child, port, admin };
}

/** What one router row serves: the model, its name in the URL, one request body, and the load's connections. */
interface RoutedModel {
  title: string;
  model: string;
  name: string;
  body: Buffer;
  connections: number;
  port: number;
}

/**
 * The environment router's cost: served req/s through the router (the bundled `dist/router.js`,
 * forwarding to the runtime on a keep-alive pool) against the same runtime process hit directly, in the
 * same run, taking turns. Both servers share the server core, as a router and its version share the
 * machine: what the router takes is taken from serving. The note gives each process's CPU time per
 * request, which bounds the ratio: sharing a core, it cannot pass direct / (runtime + router).
 */
async function routerRow(served: RoutedModel): Promise<BenchRow> {
  const { port } = served;
  const routerPort = port + 1;
  const headers = { 'content-type': 'application/json' };
  const [args, env] = runtime(served.model, served.name, port);
  const server = await startServer(args, env, port, '/v2/health/ready');
  const children = [server];
  try {
    const router = (await startBenchRouter(port, routerPort)).child;
    children.push(router);
    const infer = (p: number) => `http://127.0.0.1:${p}/v2/models/${served.name}/infer`;
    const answer = await get(infer(routerPort), served.body, headers);
    if (answer.status !== 200) throw new Error(`the router answered ${answer.status}: ${answer.body.toString().slice(0, 200)}`);
    const cpu = { ours: [] as number[][], reference: [] as number[][] };
    const { ours, reference } = await alternate(
      async () => {
        const result = await withCpu(() => load(infer(routerPort), served.connections, served.body, headers), [router.pid!, server.pid!], DURATION_S);
        cpu.ours.push(result.cpu);
        return result;
      },
      async () => {
        const result = await withCpu(() => load(infer(port), served.connections, served.body, headers), [server.pid!], DURATION_S);
        cpu.reference.push(result.cpu);
        return result;
      },
    );
    const us = (runs: number[][], i: number) => Math.round(median(runs.map((r) => r[i])));
    return {
      name: `serve ${served.title} through the environment router, ${served.connections} connections`,
      ours: ours.perSecond,
      reference: reference.perSecond,
      unit: 'req/s',
      goalRatio: 0.8,
      note: `reference: the same runtime process hit directly; the router (dist/router.js) forwards to it over its keep-alive pool, its JSON access log written (to /dev/null here) as in a container; both on the server core; ${where()}; medians of ${ROUNDS} alternating turns of ${DURATION_S} s; p50/p99 through the router ${ours.p50}/${ours.p99} ms, direct ${reference.p50}/${reference.p99} ms; errors ${ours.errors}; CPU per request: router ${us(cpu.ours, 0)} µs and runtime ${us(cpu.ours, 1)} µs through the router, runtime ${us(cpu.reference, 0)} µs direct`,
    };
  } finally {
    for (const child of children) child.kill('SIGKILL');
  }
}

/** The router's cost on the tiniest model (iris: the router's work weighs most) and on MNIST, one digit per request. */
export async function routerBench(): Promise<BenchRow[]> {
  const iris = { title: 'iris (tiny model)', model: path.join(REPO, 'examples', 'iris', 'model', 'iris-v2.onnx'), name: 'iris', body: fs.readFileSync(path.join(REPO, 'examples', 'iris', 'sample.json')), connections: 32, port: 19_401 };
  const digit = Buffer.from(JSON.stringify({ inputs: [{ name: 'Input3', shape: [1, 1, 28, 28], datatype: 'FP32', data: firstDigit() }] }));
  return [await routerRow(iris), await withFreeBatchMnist((model) => routerRow({ title: 'MNIST (1 digit per JSON request)', model, name: 'mnist', body: digit, connections: 64, port: 19_411 }))];
}
