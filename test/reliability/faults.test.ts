import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { generateDockerfile } from '../../src/core/packaging/dockerfile';
import { LABEL } from '../../src/core/packaging/imageLabels';
import { dockerConfigDir, editConfig, environmentState, irisProject, pollUntil, registryClient, runCli, runOk, setEnvironments, startCli, useVersion, V1, V2, type DeployProject } from '../integration/deployFixture';
import { docker } from '../integration/engineFixture';
import { startRegistry, type TestRegistry } from '../integration/registryFixture';
import { recordFigure } from './figures';
import { LOCAL_DEPLOY_STEPS, REGISTRY_DEPLOY_STEPS } from './faultSupport/deploySteps';
import { assertClearFailure, checkFault, firstDeploy, killAtStep, within, type Fault } from './faultSupport/faultCase';
import { deployArgs, Releases, select, type FaultTarget, type Release } from './faultSupport/faultTarget';
import { copyImage, startPrivateEngine, type PrivateEngine } from './faultSupport/privateEngine';

/**
 * Faults in the middle of real deploys and builds (the engine, registries and CLI of the integration
 * tests): a kill at each step of a deploy, a registry that goes down mid-push, a wrong password, a
 * candidate that crashes at start, a port that is taken, the engine restarted mid-build. After each, one
 * invariant check (assertEnvironmentIntact) and one next deploy that must succeed at once.
 */

/** A candidate image whose server exits at start, as a broken model store would make it. */
const CRASHING_DOCKERFILE = `${generateDockerfile()}CMD ["node", "-e", "console.error('model store unreachable'); process.exit(3)"]\n`;

/** A port this test holds, so that nothing else can publish on it. */
async function holdPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, release: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The deploy of a release whose candidate container exits at start: exit 2 with its exit code and output. */
function crashingCandidate(target: FaultTarget, releases: Releases, release: Release): Fault {
  return {
    name: 'candidate container crashing at start',
    release,
    inject: async () => {
      select(target, release);
      assertClearFailure(await runCli(deployArgs(target), { env: target.env }), /error: the container exited at start with code 3; its last output: model store unreachable/);
      return {};
    },
    // The fix a person makes: the same version built again, now with a server that starts.
    repair: () => releases.build(release),
  };
}

describe('faults: a local environment (blue-green behind its router)', () => {
  let project: DeployProject;
  let releases: Releases;
  let target: FaultTarget;

  before(async () => {
    project = irisProject('rel-fault-local');
    releases = new Releases(project);
    target = { label: 'local staging', project, environment: 'staging', env: {} };
    await firstDeploy(target, await releases.next());
  });
  after(async () => project?.cleanup());

  for (const step of LOCAL_DEPLOY_STEPS) {
    // A kill once the switch began may leave the new version serving: then the environment must serve
    // exactly one of the two versions, and the history must say which (assertEnvironmentIntact).
    const outcome = step.maySwitch ? 'it serves one of the two versions and its history says which' : 'the previous version serves';
    it(`SIGKILL at "${step.name}": ${outcome}, orphans go with the next deploy, the lock is taken over`, async () => {
      await checkFault(target, killAtStep(target, await releases.next(), step));
    });
  }

  it('a candidate container that crashes at start: exit 2 with its exit code; the previous version serves', async () => {
    await checkFault(target, crashingCandidate(target, releases, await releases.next({ dockerfile: CRASHING_DOCKERFILE })));
  });

  it('run --port on a taken port: exit 2 naming the port; the environment is untouched', async () => {
    const release = await releases.next();
    const taken = await holdPort();
    try {
      await checkFault(target, {
        name: 'run --port on a taken port',
        release,
        inject: async () => {
          select(target, release);
          assertClearFailure(await runCli(project.args('run', '--port', String(taken.port))), new RegExp(`port ${taken.port} on 127\\.0\\.0\\.1 is already taken`));
          return {};
        },
      });
    } finally {
      await taken.release();
    }
  });

  it("an environment whose run.port is taken: its first deploy fails with exit 2 and leaves nothing; once the port is free it deploys", async () => {
    const taken = await holdPort();
    editConfig(project.dir, (doc) => doc.set('environments', { staging: {}, qa: { run: { port: taken.port } } }));
    const qa: FaultTarget = { label: 'local qa (run.port taken)', project, environment: 'qa', env: {} };
    const release = await releases.next();
    try {
      await checkFault(qa, {
        name: 'run.port taken',
        release,
        inject: async () => {
          select(qa, release);
          assertClearFailure(await runCli(deployArgs(qa), { env: qa.env }), new RegExp(`port ${taken.port} on 127\\.0\\.0\\.1 is already taken`));
          return {};
        },
        repair: taken.release,
      });
    } finally {
      await taken.release();
    }
  });
});

describe('faults: registry environments (push, then channel tag)', () => {
  const login = { username: 'deployer', password: randomBytes(12).toString('hex') };
  const wrongPassword = randomBytes(12).toString('hex');
  let registry: TestRegistry;
  let authRegistry: TestRegistry;
  let project: DeployProject;
  let releases: Releases;
  let goodConfig: ReturnType<typeof dockerConfigDir>;
  let wrongConfig: ReturnType<typeof dockerConfigDir>;
  let target: FaultTarget;

  before(async () => {
    registry = await startRegistry();
    authRegistry = await startRegistry({ auth: login });
    goodConfig = dockerConfigDir({ [authRegistry.host]: login });
    wrongConfig = dockerConfigDir({ [authRegistry.host]: { username: login.username, password: wrongPassword } });
    project = irisProject('rel-fault-registry');
    setEnvironments(project.dir, { staging: { registry: registry.host }, qa: { registry: authRegistry.host } });
    releases = new Releases(project);
    target = { label: 'registry staging', project, environment: 'staging', registry: { host: registry.host, client: registryClient(registry.host) }, env: { DOCKER_CONFIG: goodConfig.dir } };
    await firstDeploy(target, await releases.next());
  });
  after(async () => {
    await project?.cleanup();
    await registry?.remove();
    await authRegistry?.remove();
    goodConfig?.cleanup();
    wrongConfig?.cleanup();
  });

  for (const step of REGISTRY_DEPLOY_STEPS) {
    it(`SIGKILL at "${step.name}": the channel tag keeps its verified digest, orphans go with the next deploy, the lock is taken over`, async () => {
      await checkFault(target, killAtStep(target, await releases.next(), step));
    });
  }

  it('a candidate container that crashes at start: exit 2 before anything is pushed', async () => {
    await checkFault(target, crashingCandidate(target, releases, await releases.next({ dockerfile: CRASHING_DOCKERFILE })));
  });

  it('the registry going down in the middle of the push: exit 2; back up, the channel tag names the previous digest', async () => {
    const release = await releases.next({ big: true });
    await checkFault(target, {
      name: 'registry down mid-push',
      release,
      inject: async () => {
        select(target, release);
        const cli = startCli(deployArgs(target), { env: target.env });
        await within(cli.waitForStderr(/^pushing \S+$/m), 180_000, 'the push to start');
        await registry.stop();
        const result = await within(cli.done, 120_000, 'the deploy to give up');
        assertClearFailure(result, new RegExp(`pushing .* failed|registry ${registry.host.replace(/\./g, '\\.')} is not reachable`));
        return {};
      },
      repair: () => registry.start(),
    });
  });

  it('wrong credentials for a Basic-auth registry: exit 2 naming the registry, nothing moved, no secret printed', async () => {
    const qa: FaultTarget = { label: 'registry qa (Basic auth)', project, environment: 'qa', registry: { host: authRegistry.host, client: registryClient(authRegistry.host, login) }, env: { DOCKER_CONFIG: goodConfig.dir } };
    await firstDeploy(qa, await releases.next());
    const release = await releases.next();
    await checkFault(qa, {
      name: 'wrong password',
      release,
      inject: async () => {
        select(qa, release);
        const result = await runCli(deployArgs(qa), { env: { DOCKER_CONFIG: wrongConfig.dir } });
        assertClearFailure(result, new RegExp(`error: registry ${authRegistry.host.replace(/\./g, '\\.')} refused the credentials of user '${login.username}'`));
        for (const secret of [login.password, wrongPassword]) assert.ok(!`${result.stdout}${result.stderr}`.includes(secret), 'no password is printed');
        return {};
      },
    });
  });
});

describe('faults: the Docker engine restarted in the middle of a build (a private engine)', () => {
  let engine: PrivateEngine;
  let project: DeployProject;
  let previous: string;
  const env = () => ({ DOCKER_HOST: engine.host });
  const imageId = (reference: string) => engine.docker.getImage(reference).inspect().then((i) => i.Id, () => undefined);
  const dangling = async () => new Set((await engine.docker.listImages({ all: true, filters: { dangling: ['true'] } })).map((i) => i.Id));

  before(async () => {
    engine = await startPrivateEngine();
    await copyImage(docker, engine.docker, 'node:20-bookworm-slim');
    project = irisProject('rel-fault-engine');
    await runOk(project.args('validate'));
    await runOk(project.args('build'), { env: env() });
    previous = (await imageId(`${project.name}:1.0.0`))!;
  });
  after(async () => {
    await project?.cleanup();
    await engine?.remove();
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const how = signal === 'SIGTERM' ? 'restarted (SIGTERM, then started)' : 'killed (SIGKILL, then started)';
    it(`the engine ${how} while a build streams: exit 2 without a stack trace, the previous image keeps its tag, nothing dangles, the next build succeeds`, async () => {
      const check = `engine ${signal === 'SIGTERM' ? 'restarted' : 'killed'} mid-build`;
      try {
        const danglingBefore = await dangling();
        // A build step that holds until the engine goes: the fault always lands while the build streams.
        fs.writeFileSync(path.join(project.dir, 'Dockerfile'), `${generateDockerfile()}RUN ["node", "-e", "console.log('step ' + 'holding'); setInterval(() => {}, 1000)"]\n`);
        const build = startCli(project.args('build'), { env: env() });
        await within(build.waitForStderr(/^step holding$/m), 180_000, 'the build step to run');
        await engine.stop(signal);
        const result = await within(build.done, 120_000, 'the build to give up');
        await engine.start();
        fs.rmSync(path.join(project.dir, 'Dockerfile'));
        assertClearFailure(result, new RegExp(`^error: the Docker engine at ${escapeRegExp(engine.host)} stopped answering during the build of ${project.name}:`, 'm'));
        assert.equal(await imageId(`${project.name}:1.0.0`), previous, 'the previous image keeps its tag');
        assert.deepEqual(await engine.docker.listContainers({ all: true }), [], 'no container left in the engine');
        assert.deepEqual([...(await dangling())].filter((id) => !danglingBefore.has(id)), [], 'no dangling image left');

        const release = `1.${signal === 'SIGTERM' ? 1 : 2}.0`;
        editConfig(project.dir, (doc) => doc.set('version', release));
        const started = performance.now();
        await runOk(project.args('build'), { env: env() });
        const ms = performance.now() - started;
        assert.ok(await imageId(`${project.name}:${release}`), `${release} is built`);
        recordFigure('faults', check, `after: build exit 2 naming the engine that stopped, 1.0.0 keeps its image, containers 0, dangling 0, next build ok in ${(ms / 1000).toFixed(1)} s`, true);
      } catch (error) {
        recordFigure('faults', check, `failed: ${(error as Error).message.split('\n')[0]}`, false);
        throw error;
      }
    });
  }
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

// On this machine a second engine's containers cannot reach each other across its bridges: the first
// engine's firewall drops forwarded traffic that is not its own, and the private engine leaves the host's
// firewall alone. So this test reads what the router routes to through its admin API (published on
// 127.0.0.1, which needs no forwarding) rather than through its traffic port; traffic through a restarted
// router and version is checked on the shared engine (test/integration/routerRestart.test.ts).
describe('faults: the Docker engine restarted under a deployed local environment (a private engine)', () => {
  let engine: PrivateEngine;
  let project: DeployProject;
  const env = () => ({ DOCKER_HOST: engine.host });
  const deploy = async (release: typeof V1) => {
    useVersion(project.dir, release);
    await runOk(project.args('validate'));
    await runOk(project.args('build'), { env: env() });
    await runOk(project.args('deploy', '--env', 'staging', '--json'), { env: env() });
  };
  const staging = () => environmentState(project, 'staging', engine.docker);
  const nameOf = (container: { Names: string[] }) => container.Names[0].replace(/^\//, '');

  before(async () => {
    engine = await startPrivateEngine();
    await copyImage(docker, engine.docker, 'node:20-bookworm-slim');
    project = irisProject('rel-fault-env-engine');
    await deploy(V1);
    // The router was created pointing at 1.0.0, which this deploy removes: only its saved routes know 2.0.0.
    await deploy(V2);
  });
  after(async () => {
    await project?.cleanup();
    await engine?.remove();
  });

  it('the engine restarted (SIGTERM, then started: a daemon restart, a reboot): it starts the router and 2.0.0 again, and the router routes to 2.0.0 from its saved routes', async () => {
    const check = 'engine restarted under staging';
    try {
      const before = await staging();
      assert.equal(before.active?.version, '2.0.0');
      await engine.stop('SIGTERM');
      const started = performance.now();
      await engine.start();
      await pollUntil(async () => (await staging()).active?.container === before.active?.container, "staging's router to route to 2.0.0 again", 90_000).catch(async (error: Error) => {
        const all = await engine.docker.listContainers({ all: true, filters: { label: [`${LABEL.project}=${project.name}`] } });
        throw new Error(`${error.message}; its containers: ${all.map((c) => `${c.Labels[LABEL.role]} ${c.State} (${c.Status})`).join(', ')}`);
      });
      const ms = performance.now() - started;
      const running = await engine.docker.listContainers({ filters: { label: [`${LABEL.project}=${project.name}`] } });
      const router = running.find((c) => c.Labels[LABEL.role] === 'router');
      assert.ok(router, 'the router runs');
      assert.deepEqual(running.map(nameOf).sort(), [before.active!.container, nameOf(router)].sort(), 'the router and 2.0.0 run, nothing else');
      const logs = (await engine.docker.getContainer(router.Id).logs({ stdout: true, stderr: true })).toString('utf8');
      assert.match(logs.split('\n').filter((line) => line.includes('"message":"listening"')).at(-1) ?? '', /"restored":true/, 'the router started from its saved routes');
      recordFigure('faults', check, `after: the engine started the router and 2.0.0 again; the router routed to 2.0.0 from its saved routes ${(ms / 1000).toFixed(1)} s after the engine started`, true);
    } catch (error) {
      recordFigure('faults', check, `failed: ${(error as Error).message.split('\n')[0]}`, false);
      throw error;
    }
  });
});
