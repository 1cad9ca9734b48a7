import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BenchRow } from './benchTable';
import { median, REPO } from './measure';
import { withCpu } from './processCpu';
import { BATCH_POLICY, DURATION_S, firstDigit, get, load, startRuntime, startServer, takeTurns, TURNS_TAKEN, where, withFreeBatchMnist } from './servingBench';

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
 * The reference proxy: a bare node:http reverse proxy, the least any Node proxy does. Per request it opens
 * an http.request over a keep-alive pool with the client's method, path and headers, pipes the body to
 * it, and writes the answer's status and headers and pipes its body back; nothing else (no header
 * filtering, X-Forwarded-*, timeouts, retries, metrics or access log).
 */
function bareProxy(port: number, upstreamPort: number): Promise<ChildProcess> {
  const script = `const http=require('http');const agent=new http.Agent({keepAlive:true});http.createServer((q,s)=>{const u=http.request({agent,host:'127.0.0.1',port:${upstreamPort},method:q.method,path:q.url,headers:q.headers},(a)=>{s.writeHead(a.statusCode,a.headers);a.pipe(s);});u.on('error',()=>s.destroy());q.pipe(u);}).listen(${port},'127.0.0.1')`;
  return startServer(['-e', script], {}, port, '/v2/health/ready');
}

/**
 * The environment router's cost: served req/s through the router (the bundled `dist/router.js`,
 * forwarding to the runtime on a keep-alive pool) against a bare reverse proxy forwarding to the same
 * runtime process, and that runtime hit directly, in the same run, taking turns. The proxies share the
 * server core with the runtime, as a router and its version share the machine: what a proxy takes is taken
 * from serving, so no proxy can reach the direct rate; the bare proxy is the limit a Node proxy can reach.
 */
async function routerRow(served: RoutedModel): Promise<BenchRow> {
  const { port } = served;
  const routerPort = port + 1;
  const bareProxyPort = port + 3;
  const headers = { 'content-type': 'application/json' };
  const server = await startRuntime(served.model, served.name, port);
  const children = [server];
  try {
    const router = (await startBenchRouter(port, routerPort)).child;
    children.push(router);
    const bare = await bareProxy(bareProxyPort, port);
    children.push(bare);
    const infer = (p: number) => `http://127.0.0.1:${p}/v2/models/${served.name}/infer`;
    for (const p of [routerPort, bareProxyPort]) {
      const answer = await get(infer(p), served.body, headers);
      if (answer.status !== 200) throw new Error(`the proxy on port ${p} answered ${answer.status}: ${answer.body.toString().slice(0, 200)}`);
    }
    const turn = (p: number, pids: number[]) => () => withCpu(() => load(infer(p), served.connections, served.body, headers), pids, DURATION_S);
    const turns = await takeTurns({
      reference: turn(bareProxyPort, [bare.pid!, server.pid!]),
      ours: turn(routerPort, [router.pid!, server.pid!]),
      direct: turn(port, [server.pid!]),
    });
    const { ours, reference, direct } = turns;
    // Over the measured turns only: the CPU a process spent per request, its median.
    const us = (name: keyof typeof turns, i: number) => Math.round(median(turns[name].runs.map((run) => run.cpu[i])));
    return {
      name: `serve ${served.title} through the environment router, ${served.connections} connections`,
      ours: ours.perSecond,
      reference: reference.perSecond,
      unit: 'req/s',
      goalRatio: 0.8,
      note: `reference: a bare node:http reverse proxy in front of the same runtime process (a keep-alive pool, the client's headers passed as they are, both bodies piped; no header filtering, X-Forwarded-*, timeouts, retries, metrics or access log), the least a Node proxy does; ours: the router (dist/router.js) forwarding to it, its JSON access log written (to /dev/null here) as in a container; each proxy on the server core with the runtime; the runtime hit directly served ${Math.round(direct.perSecond)} req/s; ${where()}; ${BATCH_POLICY ? 'the runtime under SCHED_BATCH, as it puts itself once ready, both proxies under the default policy' : 'no SCHED_BATCH here (no chrt)'}; ${TURNS_TAKEN}; p50/p99 through the router ${ours.p50}/${ours.p99} ms, the bare proxy ${reference.p50}/${reference.p99} ms, direct ${direct.p50}/${direct.p99} ms; errors ${ours.errors}; CPU per request: router ${us('ours', 0)} µs and runtime ${us('ours', 1)} µs through the router, bare proxy ${us('reference', 0)} µs and runtime ${us('reference', 1)} µs through it, runtime ${us('direct', 0)} µs direct`,
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
