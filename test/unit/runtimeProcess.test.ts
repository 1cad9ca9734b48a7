import * as assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { httpRequest as request } from '../../src/core/http/httpRequest';
import { runtimeAssets } from '../../src/core/packaging/runtimeAssets';
import { BATCH_SCHEDULING_DELAY_MS } from '../../src/runtime/runtimeConfig';
import { EXAMPLES, makeProject, REPO_ROOT } from '../support/projectFixture';

const RUNTIME = path.join(REPO_ROOT, 'dist', 'runtime.js');

function startRuntime(env: Record<string, string>, script = RUNTIME): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [script], { env: { ...process.env, MODELDEPLOY_HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForReady(port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await request(`http://127.0.0.1:${port}/v2/health/ready`, { timeoutMs: 1000 }).catch(() => undefined);
    if (answer?.status === 200) return;
    if (Date.now() > deadline) throw new Error('the runtime did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the runtime process', function () {
  this.timeout(30_000);
  const port = 18_000 + (process.pid % 1000);

  it('reads the baked-in metadata file, logs JSON lines, and drains a request in flight on SIGTERM', async () => {
    const project = makeProject({ 'model.onnx': fs.readFileSync(path.join(EXAMPLES, 'iris', 'model', 'iris-v2.onnx')), 'runtime.json': JSON.stringify({ name: 'iris', version: '2.0.0', model: 'model.onnx', labels: ['setosa', 'versicolor', 'virginica'] }) });
    const runtime = startRuntime({ MODELDEPLOY_METADATA: path.join(project.dir, 'runtime.json'), MODELDEPLOY_PORT: String(port) });
    try {
      await waitForReady(port);
      // A request whose body is still arriving when SIGTERM comes must still be answered.
      const body = JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] });
      const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(`http://127.0.0.1:${port}/v2/models/iris/infer`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.write(body.slice(0, 10));
        setTimeout(() => {
          runtime.child.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(10)), 300);
        }, 200);
      });
      const answer = await answered;
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(JSON.parse(answer.text).outputs[0].parameters.class_names, ['setosa']);
      assert.equal(await runtime.exited, 0);
      const lines = runtime.output().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.deepEqual(
        lines.filter((l) => l.message).map((l) => l.message),
        ['listening', 'ready', 'stopping: finishing the requests in flight', 'stopped'],
      );
      assert.ok(lines.some((l) => l.path === '/v2/models/iris/infer' && l.status === 200 && typeof l.ms === 'number'), 'an access log line for the request');
      // The start-up figures: each phase in order since the process started.
      const listening = lines.find((l) => l.message === 'listening')!.startMs as { loaded: number; listening: number };
      const ready = lines.find((l) => l.message === 'ready')!.startMs as { ready: number; modelLoad: number; warmUp: number };
      assert.ok(listening.loaded > 0 && listening.loaded <= listening.listening && listening.listening <= ready.ready, JSON.stringify({ listening, ready }));
      assert.ok(ready.modelLoad > 0 && ready.warmUp >= 0 && ready.modelLoad + ready.warmUp <= ready.ready, JSON.stringify(ready));
    } finally {
      runtime.child.kill('SIGKILL');
      project.cleanup();
    }
  });

  it("serves from the runtime layer alone, as the image holds it: the bundle and onnxruntime-node's native files, no other package", async () => {
    const layer = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-layer-'));
    try {
      for (const file of runtimeAssets(process.arch === 'arm64' ? 'linux/arm64' : 'linux/amd64')) {
        const target = path.join(layer, file.archivePath);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.copyFileSync(file.source, target);
      }
      const runtimeDir = path.join(layer, 'runtime');
      assert.throws(() => require.resolve('onnxruntime-common', { paths: [runtimeDir] }), 'no onnxruntime JavaScript reachable from the layer but what the bundle carries');
      const runtime = startRuntime({ MODELDEPLOY_MODEL: path.join(EXAMPLES, 'iris', 'model', 'iris-v2.onnx'), MODELDEPLOY_NAME: 'iris', MODELDEPLOY_PORT: String(port) }, path.join(runtimeDir, 'runtime.js'));
      try {
        await waitForReady(port);
        const answer = await request(`http://127.0.0.1:${port}/v2/models/iris/infer`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] }) });
        assert.equal(answer.status, 200, answer.text);
        assert.equal(JSON.parse(answer.text).outputs[0].shape[0], 1);
      } finally {
        runtime.child.kill('SIGKILL');
        await runtime.exited;
      }
    } finally {
      fs.rmSync(layer, { recursive: true, force: true });
    }
  });

  it('exits 1 with one JSON log line when the model cannot be loaded', async () => {
    const project = makeProject({ 'bad.onnx': 'not a model' });
    const runtime = startRuntime({ MODELDEPLOY_MODEL: path.join(project.dir, 'bad.onnx'), MODELDEPLOY_PORT: String(port + 1) });
    try {
      assert.equal(await runtime.exited, 1);
      assert.match(runtime.output(), /"level":"error","message":"the model cannot be served: not an ONNX model/);
    } finally {
      project.cleanup();
    }
  });

  it("runs the model on one onnxruntime thread, the server's own, unless MODELDEPLOY_THREADS asks for more: the process's threads and its listening line say so", async () => {
    const model = path.join(EXAMPLES, 'iris', 'model', 'iris-v2.onnx');
    // Threads once ready: onnxruntime's pool for n intra-op threads adds n - 1 to the process.
    const threadsWith = async (env: Record<string, string>, at: number) => {
      const runtime = startRuntime({ MODELDEPLOY_MODEL: model, MODELDEPLOY_PORT: String(at), ...env });
      try {
        await waitForReady(at);
        const listening = runtime.output().split('\n').map((line) => JSON.parse(line || '{}') as { message?: string; threads?: number }).find((l) => l.message === 'listening');
        return { threads: fs.readdirSync(`/proc/${runtime.child.pid}/task`).length, logged: listening?.threads };
      } finally {
        runtime.child.kill('SIGKILL');
      }
    };
    const byDefault = await threadsWith({}, port + 3);
    const four = await threadsWith({ MODELDEPLOY_THREADS: '4' }, port + 4);
    assert.equal(byDefault.logged, 1);
    assert.equal(four.logged, 4);
    assert.equal(four.threads - byDefault.threads, 3, `${byDefault.threads} threads by default, ${four.threads} with MODELDEPLOY_THREADS=4`);
  });

  describe('scheduling', () => {
    const model = path.join(EXAMPLES, 'iris', 'model', 'iris-v2.onnx');
    /** The scheduling policy of each of the process's threads, as Linux reports it. */
    const policies = (pid: number) => fs.readdirSync(`/proc/${pid}/task`).map((task) => /policy: (\S+)/.exec(execFileSync('chrt', ['--pid', task], { encoding: 'utf8' }))?.[1] ?? '?');
    const waitFor = async <T>(what: string, read: () => T, done: (value: T) => boolean): Promise<T> => {
      const deadline = Date.now() + 10_000;
      for (let value = read(); ; value = read()) {
        if (done(value)) return value;
        if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    it('puts every thread under SCHED_BATCH a while after ready, so that requests arriving while another process has the core run together', async () => {
      const runtime = startRuntime({ MODELDEPLOY_MODEL: model, MODELDEPLOY_PORT: String(port + 5) });
      try {
        await waitForReady(port + 5);
        const ready = Date.now();
        const pid = runtime.child.pid!;
        const threads = await waitFor('the threads\' policies', () => policies(pid), (all) => all.every((p) => p === 'SCHED_BATCH'));
        // Not at once: starting chrt holds the server's thread, and the first answers after ready must not wait for it.
        assert.ok(Date.now() - ready >= BATCH_SCHEDULING_DELAY_MS - 100, `SCHED_BATCH ${Date.now() - ready} ms after ready`);
        assert.ok(threads.length > 1, `${threads.length} threads`);
        assert.doesNotMatch(runtime.output(), /scheduling policy/);
      } finally {
        runtime.child.kill('SIGKILL');
      }
    });

    it('keeps the default policy with MODELDEPLOY_BATCH_SCHEDULING=false, or when batching is off', async () => {
      for (const [env, at] of [[{ MODELDEPLOY_BATCH_SCHEDULING: 'false' }, port + 6], [{ MODELDEPLOY_BATCHING: 'false' }, port + 7]] as const) {
        const runtime = startRuntime({ MODELDEPLOY_MODEL: model, MODELDEPLOY_PORT: String(at), ...env });
        try {
          await waitForReady(at);
          // A request served, then time for a policy change to have landed had one been asked for.
          assert.equal((await request(`http://127.0.0.1:${at}/v2/models/iris-v2/infer`, { method: 'POST', body: fs.readFileSync(path.join(EXAMPLES, 'iris', 'sample.json')), timeoutMs: 5000 })).status, 200);
          await new Promise((resolve) => setTimeout(resolve, BATCH_SCHEDULING_DELAY_MS + 500));
          assert.deepEqual([...new Set(policies(runtime.child.pid!))], ['SCHED_OTHER'], JSON.stringify(env));
        } finally {
          runtime.child.kill('SIGKILL');
        }
      }
    });

    it('says in one log line why it keeps the default policy when chrt cannot be run, and serves on', async () => {
      const runtime = startRuntime({ MODELDEPLOY_MODEL: model, MODELDEPLOY_PORT: String(port + 8), PATH: path.join(os.tmpdir(), 'modeldeploy-no-such-folder') });
      try {
        await waitForReady(port + 8);
        const line = await waitFor('the log', () => runtime.output().split('\n').find((l) => l.includes('scheduling policy')), (found) => found !== undefined);
        assert.deepEqual(JSON.parse(line!), { ...JSON.parse(line!), level: 'info', message: 'the server keeps the default scheduling policy: chrt (util-linux) is not on the PATH' });
        assert.deepEqual([...new Set(policies(runtime.child.pid!))], ['SCHED_OTHER']);
        assert.equal((await request(`http://127.0.0.1:${port + 8}/v2/health/ready`, { timeoutMs: 5000 })).status, 200);
      } finally {
        runtime.child.kill('SIGKILL');
      }
    });

    it('exits 2 and names the variable when MODELDEPLOY_BATCH_SCHEDULING is neither true nor false', async () => {
      const runtime = startRuntime({ MODELDEPLOY_MODEL: 'x.onnx', MODELDEPLOY_BATCH_SCHEDULING: 'yes' });
      assert.equal(await runtime.exited, 2);
      assert.match(runtime.output(), /MODELDEPLOY_BATCH_SCHEDULING=yes is not true or false/);
    });
  });

  for (const [variable, value] of [['MODELDEPLOY_PORT', 'eighty'], ['MODELDEPLOY_REQUEST_TIMEOUT_MS', '-5'], ['MODELDEPLOY_MAX_CONNECTIONS', '1.5'], ['MODELDEPLOY_THREADS', '300']]) {
    it(`exits 2 and names the variable when the configuration is wrong: ${variable}=${value}`, async () => {
      const runtime = startRuntime({ MODELDEPLOY_MODEL: 'x.onnx', [variable]: value });
      assert.equal(await runtime.exited, 2);
      assert.match(runtime.output(), new RegExp(`${variable}=${value.replace('.', '\\.')} is not a whole number`));
    });
  }

  it('exits 1 with one JSON log line, no stack, when its port is taken', async () => {
    const holder = http.createServer(() => undefined);
    await new Promise<void>((resolve) => holder.listen(port + 2, '127.0.0.1', resolve));
    const project = makeProject({ 'model.onnx': fs.readFileSync(path.join(EXAMPLES, 'iris', 'model', 'iris-v2.onnx')) });
    const runtime = startRuntime({ MODELDEPLOY_MODEL: path.join(project.dir, 'model.onnx'), MODELDEPLOY_PORT: String(port + 2) });
    try {
      assert.equal(await runtime.exited, 1);
      const lines = runtime.output().trim().split('\n');
      assert.equal(lines.length, 1, runtime.output());
      const line = JSON.parse(lines[0]) as { level: string; message: string };
      assert.equal(line.level, 'error');
      assert.match(line.message, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port + 2}: .*address already in use`));
    } finally {
      holder.close();
      project.cleanup();
    }
  });

  it('loads onnxruntime without loading worker_threads, which the binding asks only whether it runs on the main thread', async () => {
    const project = makeProject({ 'model.onnx': fs.readFileSync(path.join(EXAMPLES, 'iris', 'model', 'iris-v2.onnx')) });
    // Node's list of the built-in modules the process loaded, written as it exits.
    const modules = path.join(project.dir, 'modules.txt');
    fs.writeFileSync(path.join(project.dir, 'modules.js'), `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(modules)}, process.moduleLoadList.join('\\n')));`);
    const runtime = startRuntime({ MODELDEPLOY_MODEL: path.join(project.dir, 'model.onnx'), MODELDEPLOY_PORT: String(port + 9), NODE_OPTIONS: `--require ${path.join(project.dir, 'modules.js')}` });
    try {
      await waitForReady(port + 9);
      const body = JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] });
      const answer = await request(`http://127.0.0.1:${port + 9}/v2/models/model/infer`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' }, timeoutMs: 5000 });
      assert.equal(answer.status, 200, answer.text);
      runtime.child.kill('SIGTERM');
      assert.equal(await runtime.exited, 0);
      const loaded = fs.readFileSync(modules, 'utf8').split('\n');
      assert.ok(loaded.includes('NativeModule http'), 'the list is of this process');
      for (const module of ['NativeModule worker_threads', 'NativeModule internal/worker']) assert.ok(!loaded.includes(module), `${module} was loaded`);
    } finally {
      runtime.child.kill('SIGKILL');
      project.cleanup();
    }
  });
});
