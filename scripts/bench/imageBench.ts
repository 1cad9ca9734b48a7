import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { removeLocalContainers } from '../../src/core/container/localContainers';
import { runContainer } from '../../src/core/container/runContainer';
import { probe } from '../../src/core/container/waitReady';
import { loadProject } from '../../src/core/project/loadProject';
import type { BenchRow } from './benchTable';
import { REPO, duBytes, median } from './measure';

const MB = 1e6;
const RUNS = 3;

interface CliBuild {
  image: string;
  sizeBytes: number;
  baseSizeBytes: number;
}

/** `modeldeploy build --json` through the shipped CLI bundle, as a user or CI runs it; wall time in ms. */
function timedBuild(dir: string): { result: CliBuild; ms: number } {
  const started = performance.now();
  const output = execFileSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'build', '--json', '--project', dir], { encoding: 'utf8' });
  return { result: JSON.parse(output) as CliBuild, ms: performance.now() - started };
}

/** The time from starting a container to its first 200: ours (the model server) and a bare Node server in the same base image. */
async function startToReady(docker: Docker, dir: string): Promise<{ ours: number; bare: number }> {
  const project = loadProject(dir);
  const ours: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push((await runContainer(docker, project)).startToReadyMs);
    await removeLocalContainers(docker, project, 1);
    const container = await docker.createContainer({
      Image: project.image.base,
      Cmd: ['node', '-e', "require('http').createServer((q,s)=>s.end('ok')).listen(8080)"],
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, ReadonlyRootfs: true, CapDrop: ['ALL'] },
    });
    try {
      const started = performance.now();
      await container.start();
      const port = (await container.inspect()).NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort;
      while ((await probe(`http://127.0.0.1:${port}/`, 1000)) !== 200) await new Promise((resolve) => setTimeout(resolve, 25));
      bare.push(performance.now() - started);
    } finally {
      await container.remove({ force: true });
    }
  }
  return { ours: median(ours), bare: median(bare) };
}

/**
 * The image on the iris example: size over the base, a rebuild after a model-only change against a
 * cached no-op rebuild, and start-to-ready against a bare server in the same base image.
 */
export async function imageBench(): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-bench-'));
  const docker = new Docker();
  fs.cpSync(path.join(REPO, 'examples', 'iris'), dir, { recursive: true });
  const config = path.join(dir, 'modeldeploy.yaml');
  const name = `bench-iris-${process.pid}`;
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace(/^name: .*$/m, `name: ${name}`));
  const model = path.join(dir, 'model', 'iris-v2.onnx');
  try {
    const first = timedBuild(dir).result;
    const noOp = median(Array.from({ length: RUNS }, () => timedBuild(dir).ms));
    const modelOnly = median(
      Array.from({ length: RUNS }, (_, i) => {
        // Another model file (v1 and v2 in turn) under the same name: only the model layer changes.
        fs.copyFileSync(path.join(REPO, 'examples', 'iris', 'model', i % 2 ? 'iris-v2.onnx' : 'iris-v1.onnx'), model);
        return timedBuild(dir).ms;
      }),
    );
    const modelBytes = fs.statSync(model).size;
    const ortPackage = duBytes(path.join(REPO, 'node_modules', 'onnxruntime-node')) + duBytes(path.join(REPO, 'node_modules', 'onnxruntime-common'));
    const start = await startToReady(docker, dir);
    return [
      {
        name: 'image size over the base, minus the model (iris)',
        ours: (first.sizeBytes - first.baseSizeBytes - modelBytes) / MB,
        reference: ortPackage / MB,
        unit: 'MB',
        maxValue: 50,
        note: `reference: the onnxruntime-node package as "npm install" puts it into an image (every platform); image ${(first.sizeBytes / MB).toFixed(1)} MB, base ${(first.baseSizeBytes / MB).toFixed(1)} MB, model ${modelBytes} bytes`,
      },
      {
        name: 'rebuild after a model-only change (iris)',
        ours: modelOnly / 1000,
        reference: noOp / 1000,
        unit: 's',
        maxValue: 1.5,
        note: `reference: a cached no-op rebuild; both are "modeldeploy build" end to end (CLI start, model inspection, context upload, build) with the runtime image already built, median of ${RUNS}`,
      },
      {
        name: 'container start to ready (iris)',
        ours: start.ours / 1000,
        reference: start.bare / 1000,
        unit: 's',
        maxValue: 0.5,
        note: `reference: a bare node:http server in the same base image with the same port publishing; median of ${RUNS}`,
      },
    ];
  } finally {
    await removeLocalContainers(docker, { dir }, 1);
    for (const image of await docker.listImages({ filters: { reference: [name] } })) await docker.getImage(image.Id).remove({ force: true }).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
