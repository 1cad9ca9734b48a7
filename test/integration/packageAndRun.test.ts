import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { demuxLogs } from '../../src/core/container/logFrames';
import { RUN_LIMITS } from '../../src/core/container/runContainer';
import { LABEL } from '../../src/core/packaging/imageLabels';
import { sendInference } from '../../src/core/predict/inferenceClient';
import { cli } from '../support/cliProcess';
import { makeMnistProject } from '../support/mnistProject';
import { SHARED_DATA } from '../support/projectFixture';
import { containersOf, docker, exampleProject, setConfig, uniqueName, withCleanup, type TestProject } from './engineFixture';

function json<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** Runs a command in a container of `image` and returns its stdout (the container is removed). */
async function runIn(image: string, cmd: string[]): Promise<string> {
  const container = await docker.createContainer({ Image: image, Cmd: cmd, User: '1000:1000', HostConfig: { ReadonlyRootfs: true, CapDrop: ['ALL'] } });
  try {
    await container.start();
    await container.wait();
    const logs = (await container.logs({ stdout: true, stderr: false })) as unknown as Buffer;
    return demuxLogs(logs)
      .map((f) => f.text)
      .join('')
      .trim();
  } finally {
    await container.remove({ force: true });
  }
}

describe('package, run and predict on the real Docker engine: iris', () => {
  let project: TestProject;
  let build: { image: string; id: string; sizeBytes: number; baseSizeBytes: number; runtimeImage: string };
  let commit: string;

  before(() => {
    project = exampleProject('iris');
    // A project in a git repository whose remote URL carries a user and token, as CI checkouts often do.
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: project.dir, encoding: 'utf8' }).trim();
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'iris');
    git('remote', 'add', 'origin', 'https://ci-bot:ghp_s3cr3tT0ken@git.example.com/acme/iris.git');
    commit = git('rev-parse', 'HEAD');
    assert.equal(cli(['validate', '--project', project.dir]).code, 0);
    const run = cli(['build', '--json', '--project', project.dir]);
    assert.equal(run.code, 0, run.stderr);
    build = json(run.stdout);
  });
  after(async () => project.cleanup());

  it('build --json prints the image, its id, sizes and runtime image, and the image adds under 50 MB plus the model to the base', async () => {
    assert.deepEqual(Object.keys(build).sort(), ['baseSizeBytes', 'id', 'image', 'runtimeImage', 'sizeBytes']);
    assert.match(build.runtimeImage, /^modeldeploy-runtime:[\w.-]+-linux-amd64-[0-9a-f]{12}$/);
    assert.ok(await docker.getImage(build.runtimeImage).inspect(), 'the runtime image is in the engine');
    assert.equal(build.image, `${project.name}:2.0.0`);
    assert.match(build.id, /^sha256:[0-9a-f]{64}$/);
    const image = await docker.getImage(build.image).inspect();
    assert.equal(image.Id, build.id, 'the id is the image under the tag');
    assert.equal(image.Size, build.sizeBytes);
    assert.equal((await docker.getImage('node:20-bookworm-slim').inspect()).Size, build.baseSizeBytes);
    const model = fs.statSync(path.join(project.dir, 'model', 'iris-v2.onnx')).size;
    assert.ok(build.sizeBytes - build.baseSizeBytes > 40e6, 'the runtime layer is there');
    assert.ok(build.sizeBytes - build.baseSizeBytes <= 50e6 + model, `${build.sizeBytes - build.baseSizeBytes} bytes over the base`);
  });

  it('labels the image with the OCI keys (the git commit and the remote without its token), the model identity and the validation metrics', async () => {
    const labels = (await docker.getImage(build.image).inspect()).Config.Labels ?? {};
    const stored = json<{ metrics: Record<string, number>; dataSha256: string; rows: number }>(fs.readFileSync(path.join(project.dir, '.modeldeploy', 'metrics', '2.0.0.json'), 'utf8'));
    const modelSha = createHash('sha256').update(fs.readFileSync(path.join(project.dir, 'model', 'iris-v2.onnx'))).digest('hex');
    assert.equal(labels['org.opencontainers.image.title'], project.name);
    assert.equal(labels['org.opencontainers.image.version'], '2.0.0');
    assert.ok(!Number.isNaN(Date.parse(labels['org.opencontainers.image.created'])));
    assert.equal(labels['org.opencontainers.image.revision'], commit);
    assert.equal(labels['org.opencontainers.image.source'], 'https://git.example.com/acme/iris.git');
    assert.ok(Object.values(labels).every((value) => !value.includes('s3cr3t') && !value.includes('ci-bot')), 'the token is in no label');
    assert.equal(labels[LABEL.role], 'model');
    assert.equal(labels[LABEL.version], '2.0.0');
    assert.equal(labels[LABEL.managed], 'true');
    assert.equal(labels[LABEL.project], project.name);
    assert.equal(labels[LABEL.modelSha256], modelSha);
    assert.deepEqual(json(labels[LABEL.modelSignature]), { inputs: { float_input: 'float32[N,4]' }, outputs: { probabilities: 'float32[N,3]', label: 'int64[N]' } });
    assert.deepEqual(json(labels[LABEL.metrics]), stored.metrics);
    assert.equal(labels[LABEL.dataSha256], stored.dataSha256);
    assert.equal(labels[LABEL.dataRows], '45');
  });

  it("ships only the target platform's onnxruntime files, and the server runs as uid 1000", async () => {
    const listing = await runIn(build.image, ['node', '-e', "const fs=require('fs');const b='/opt/modeldeploy/runtime/node_modules/onnxruntime-node/bin/napi-v6';console.log(JSON.stringify({os:fs.readdirSync(b),arch:fs.readdirSync(b+'/linux'),uid:process.getuid()}))"]);
    assert.deepEqual(json(listing), { os: ['linux'], arch: ['x64'], uid: 1000 });
  });

  describe('run, predict, logs, stop', () => {
    let url: string;
    let containerId: string;

    before(() => {
      const run = cli(['run', '--json', '--project', project.dir]);
      assert.equal(run.code, 0, run.stderr);
      const started = json<{ container: string; url: string }>(run.stdout);
      assert.deepEqual(Object.keys(started).sort(), ['container', 'url']);
      ({ url, container: containerId } = started);
    });

    it('run starts a hardened container: uid 1000, read-only root, no capabilities, no-new-privileges, limits, loopback only', async () => {
      const info = await docker.getContainer(containerId).inspect();
      assert.equal(info.Config.User, '1000:1000');
      assert.equal(info.HostConfig.ReadonlyRootfs, true);
      assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
      assert.ok(info.HostConfig.SecurityOpt?.includes('no-new-privileges'));
      assert.equal(info.HostConfig.Memory, RUN_LIMITS.memoryBytes);
      assert.equal(info.HostConfig.NanoCpus, RUN_LIMITS.nanoCpus);
      assert.equal(info.HostConfig.PidsLimit, RUN_LIMITS.pids);
      assert.equal(info.HostConfig.Privileged, false);
      const bindings = Object.values(info.HostConfig.PortBindings ?? {}).flat() as { HostIp: string }[];
      assert.ok(bindings.length > 0 && bindings.every((b) => b.HostIp === '127.0.0.1'));
      // What the engine actually published, not only what was asked: loopback, the port in the URL.
      const published = Object.values(info.NetworkSettings.Ports ?? {}).flat() as { HostIp: string; HostPort: string }[];
      assert.deepEqual(published.map((p) => `${p.HostIp}:${p.HostPort}`), [url.replace('http://', '')]);
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(info.Config.Labels[LABEL.managed], 'true');
    });

    it('the root filesystem refuses writes inside the running container, /tmp takes them', async () => {
      const exec = async (cmd: string[]) => {
        const e = await docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
        const stream = await e.start({});
        await new Promise((resolve) => stream.on('end', resolve).resume());
        return (await e.inspect()).ExitCode;
      };
      assert.notEqual(await exec(['sh', '-c', 'echo x > /opt/modeldeploy/x']), 0);
      assert.equal(await exec(['sh', '-c', 'echo x > /tmp/x']), 0);
    });

    it('the model server puts itself under SCHED_BATCH in the hardened container, without any capability', async () => {
      const deadline = Date.now() + 10_000;
      let policy = '';
      while (!policy.includes('SCHED_BATCH') && Date.now() < deadline) {
        const e = await docker.getContainer(containerId).exec({ Cmd: ['chrt', '--pid', '1'], AttachStdout: true, AttachStderr: true });
        const stream = await e.start({});
        const chunks: Buffer[] = [];
        await new Promise((resolve) => stream.on('data', (c: Buffer) => chunks.push(c)).on('end', resolve));
        policy = demuxLogs(Buffer.concat(chunks)).map((frame) => frame.text).join('');
        if (!policy.includes('SCHED_BATCH')) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match(policy, /pid 1's current scheduling policy: SCHED_BATCH/);
    });

    it('predict --json answers the sample with class names and matches in-process onnxruntime', () => {
      const run = cli(['predict', '--json', '--project', project.dir]);
      assert.equal(run.code, 0, run.stderr);
      const result = json<{ response: { model_name: string; outputs: { name: string; parameters?: { class_names?: string[] } }[] }; latencyMs: number; parity: { maxAbsDiff: number } }>(run.stdout);
      assert.deepEqual(Object.keys(result).sort(), ['latencyMs', 'parity', 'response']);
      assert.deepEqual(Object.keys(result.parity), ['maxAbsDiff']);
      assert.equal(result.response.model_name, project.name);
      assert.deepEqual(result.response.outputs.find((o) => o.name === 'probabilities')?.parameters?.class_names, ['setosa', 'virginica']);
      assert.ok(result.latencyMs > 0);
      assert.ok(result.parity.maxAbsDiff <= 1e-5, `parity ${result.parity.maxAbsDiff}`);
    });

    it('predict --batch sends each line and writes one result per line, and names the bad line', () => {
      const batch = path.join(project.dir, 'requests.jsonl');
      const row = (data: number[]) => JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data }] });
      fs.writeFileSync(batch, [row([5.1, 3.5, 1.4, 0.2]), row([6.3, 2.5, 5, 1.9]), '{"inputs": [', row([5.9, 3, 4.2, 1.5])].join('\n'));
      const run = cli(['predict', '--batch', batch, '--project', project.dir]);
      assert.equal(run.code, 3, 'a failed line makes the command fail');
      assert.match(run.stdout, /3 of 4 requests answered/);
      assert.match(run.stdout, /line 3: not valid JSON/);
      const results = fs.readFileSync(path.join(project.dir, 'requests.results.jsonl'), 'utf8').trim().split('\n').map((l) => json<{ line: number; error?: string; parityMaxAbsDiff?: number; response?: { outputs: { parameters?: { class_names?: string[] } }[] } }>(l));
      assert.deepEqual(results.map((r) => r.line), [1, 2, 3, 4]);
      assert.deepEqual(results.map((r) => r.response?.outputs[0].parameters?.class_names?.[0]), ['setosa', 'virginica', undefined, 'versicolor']);
      assert.ok(results[2].error);
      assert.ok(results.filter((r) => !r.error).every((r) => r.parityMaxAbsDiff === 0));
    });

    it('logs prints the server output, demultiplexed', () => {
      const run = cli(['logs', '--project', project.dir]);
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.trim().split('\n').map((l) => json<{ message?: string; path?: string }>(l));
      assert.ok(lines.some((l) => l.message === 'ready'));
      assert.ok(lines.some((l) => l.path === `/v2/models/${project.name}/infer`));
    });

    it('stop removes the container, after which predict says how to start one', async () => {
      const stop = cli(['stop', '--project', project.dir]);
      assert.equal(stop.code, 0, stop.stderr);
      assert.deepEqual(await containersOf(project.name), []);
      const predict = cli(['predict', '--project', project.dir]);
      assert.equal(predict.code, 2);
      assert.match(predict.stderr, /no local container of .* is running\. start one with "modeldeploy run"/);
    });
  });
});

describe('package, run and predict on the real Docker engine: house prices and MNIST', () => {
  it('house-prices: the regressor answers its sample through the container with parity', async () => {
    const project = exampleProject('house-prices');
    try {
      assert.equal(cli(['build', '--project', project.dir]).code, 0);
      assert.equal(cli(['run', '--project', project.dir]).code, 0);
      const run = cli(['predict', '--json', '--project', project.dir]);
      assert.equal(run.code, 0, run.stderr);
      const result = json<{ response: { outputs: { name: string; data: number[] }[] }; parity: { maxAbsDiff: number } }>(run.stdout);
      const price = result.response.outputs.find((o) => o.name === 'predicted_price')!;
      assert.ok(price.data.every((v) => v > 0 && v < 60), `prices ${price.data}`);
      assert.ok(result.parity.maxAbsDiff <= 1e-5);
    } finally {
      await project.cleanup();
    }
  });

  it('MNIST: a real digit from the test set is classified correctly through the container', async () => {
    const copy = makeMnistProject();
    const name = uniqueName('it-mnist');
    setConfig(copy.dir, { name });
    const project = withCleanup(copy.dir, name, copy.cleanup);
    try {
      assert.equal(cli(['build', '--project', project.dir]).code, 0);
      const run = cli(['run', '--json', '--project', project.dir]);
      assert.equal(run.code, 0, run.stderr);
      const { url } = json<{ url: string }>(run.stdout);
      const rows = gunzipSync(fs.readFileSync(path.join(SHARED_DATA, 'mnist', 'mnist_test.csv.gz'))).toString('utf8').split('\n', 4).slice(1);
      for (const row of rows) {
        const [label, ...pixels] = row.split(',').map(Number);
        const { response } = await sendInference(url, name, { inputs: [{ name: 'Input3', shape: [1, 1, 28, 28], datatype: 'FP32', data: pixels }] });
        const scores = response.outputs[0].data as number[];
        assert.equal(scores.indexOf(Math.max(...scores)), label);
      }
      const request = path.join(project.dir, 'digit.json');
      const [label, ...pixels] = rows[0].split(',').map(Number);
      fs.writeFileSync(request, JSON.stringify({ inputs: [{ name: 'Input3', shape: [1, 1, 28, 28], datatype: 'FP32', data: pixels }] }));
      const predict = cli(['predict', '--json', '--input', request, '--project', project.dir]);
      assert.equal(predict.code, 0, predict.stderr);
      const result = json<{ response: { outputs: { shape: number[]; data: number[] }[] }; parity: { maxAbsDiff: number } }>(predict.stdout);
      assert.deepEqual(result.response.outputs[0].shape, [1, 10]);
      const scores = result.response.outputs[0].data;
      assert.equal(scores.indexOf(Math.max(...scores)), label, 'the CLI prediction names the digit');
      assert.ok(result.parity.maxAbsDiff <= 1e-5, `parity ${result.parity.maxAbsDiff}`);
    } finally {
      await project.cleanup();
    }
  });
});
