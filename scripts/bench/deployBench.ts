import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { candidateImage, deployProject } from '../../src/core/deploy/deploy';
import { removeLocalEnvironment } from '../../src/core/deploy/localEnvironment';
import type { DeployPorts } from '../../src/core/deploy/ports';
import { environmentRegistry, pushVersion } from '../../src/core/deploy/registryEnvironment';
import { removeLocalContainers } from '../../src/core/container/localContainers';
import { runContainer } from '../../src/core/container/runContainer';
import { loadProject } from '../../src/core/project/loadProject';
import { staticCredentials } from '../../src/core/registry/credentials';
import { startRegistry } from '../../test/integration/registryFixture';
import type { BenchRow } from './benchTable';
import { REPO, duBytes, median, writeFreshModel } from './measure';

const MB = 1e6;
const RUNS = 3;

function setConfig(dir: string, key: string, value: string): void {
  const file = path.join(dir, 'modeldeploy.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(new RegExp(`^${key}:.*$`, 'm'), `${key}: ${value}`));
}

function cli(dir: string, ...args: string[]): void {
  execFileSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), ...args, '--project', dir], { stdio: 'ignore' });
}

const ports: DeployPorts = { credentials: staticCredentials({}), approve: async () => true, progress: () => undefined };

/**
 * Deploys on the iris example: the bytes and seconds a model-only change pushes to a real registry
 * (against the first push of the whole image), and a local blue-green deploy (against starting the same
 * image as a plain container, the least a swap must do).
 */
export async function deployBench(): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-bench-deploy-'));
  const docker = new Docker();
  const registry = await startRegistry();
  const name = `bench-deploy-${process.pid}`;
  fs.cpSync(path.join(REPO, 'examples', 'iris'), dir, { recursive: true });
  setConfig(dir, 'name', name);
  fs.appendFileSync(path.join(dir, 'modeldeploy.yaml'), `environments:\n  staging: {}\n  registry: { registry: "${registry.host}" }\n`);
  try {
    const push = async (version: string) => {
      setConfig(dir, 'version', version);
      cli(dir, 'validate');
      cli(dir, 'build');
      const project = loadProject(dir);
      const environment = project.environments.find((e) => e.name === 'registry')!;
      const before = duBytes(path.join(registry.dir, 'data'));
      const started = performance.now();
      await pushVersion(docker, environmentRegistry(project, environment, ports.credentials), { ...(await candidateImage(docker, project)), localRef: `${name}:${version}` }, ports.credentials, { platform: project.image.platform });
      return { ms: performance.now() - started, bytes: duBytes(path.join(registry.dir, 'data')) - before };
    };
    const first = await push('1.0.0');
    const changes: { ms: number; bytes: number }[] = [];
    for (let round = 0; round < RUNS; round++) {
      writeFreshModel(path.join(dir, 'model', 'iris-v2.onnx'));
      changes.push(await push(`1.0.${round + 1}`));
    }
    const modelBytes = fs.statSync(path.join(dir, 'model', 'iris-v2.onnx')).size;

    const swaps: number[] = [];
    const starts: number[] = [];
    for (let round = 0; round < RUNS; round++) {
      writeFreshModel(path.join(dir, 'model', 'iris-v2.onnx'));
      setConfig(dir, 'version', `2.0.${round}`);
      cli(dir, 'validate');
      cli(dir, 'build');
      const project = loadProject(dir);
      const started = performance.now();
      await deployProject(docker, project, 'staging', ports);
      swaps.push(performance.now() - started);
      starts.push((await runContainer(docker, project)).startToReadyMs);
      await removeLocalContainers(docker, project, 1);
    }
    return [
      {
        name: 'bytes pushed for a model-only change (iris)',
        ours: median(changes.map((c) => c.bytes)) / MB,
        reference: first.bytes / MB,
        unit: 'MB',
        maxValue: (modelBytes + MB) / MB,
        note: `goal: the model (${modelBytes} bytes) plus 1 MB; reference: the first push of the whole image to an empty registry; counted as the growth of the registry's storage, median of ${RUNS} fresh models`,
      },
      {
        name: 'seconds to push a model-only change (iris)',
        ours: median(changes.map((c) => c.ms)) / 1000,
        reference: first.ms / 1000,
        unit: 's',
        maxRatio: 0.5,
        note: 'reference: the first push of the whole image; both include the immutability check and the digest verification through the registry API',
      },
      {
        name: 'local deploy, start to serving (iris, blue-green)',
        ours: median(swaps) / 1000,
        reference: median(starts) / 1000,
        unit: 's',
        maxValue: 5,
        note: `deploy to the embedded staging environment: diff on both models, a new container, smoke prediction and 20 timed requests, router switch, the old one drained and removed; reference: starting the same image as a plain container until ready; median of ${RUNS}`,
      },
    ];
  } finally {
    const project = loadProject(dir);
    await removeLocalEnvironment(docker, project, 'staging');
    await removeLocalContainers(docker, project, 1);
    for (const image of await docker.listImages({ filters: { reference: [name, `${registry.host}/${name}`] } })) await docker.getImage(image.Id).remove({ force: true }).catch(() => undefined);
    await registry.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
