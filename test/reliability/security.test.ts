import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { docker } from '../integration/engineFixture';
import { buildVersion, dockerConfigDir, environmentContainers, filesUnder, irisProject, parseJson, projectContainers, runCli, setEnvironments, V1, type CliOptions, type CliResult, type DeployProject } from '../integration/deployFixture';
import { startRegistry, type TestRegistry } from '../integration/registryFixture';
import { copyExample, REPO_ROOT } from '../support/projectFixture';
import { recordFigure } from './figures';
import { installCredentialHelper } from './securitySupport/credentialHelper';
import { containerOutput, hardeningGaps, publishedPorts, uidInside } from './securitySupport/hardening';
import { postOversized } from './securitySupport/oversizedBody';
import { functionSource, processUse, sourceFiles } from './securitySupport/sourceScan';

const USER = 'deployer';
/** The runtime's default request body limit (16 MiB). */
const BODY_LIMIT = 16 * 1024 * 1024;

describe('security checks', function () {
  this.timeout(600_000);

  describe('containers, the body limit and credentials (an iris project: run, a local staging, a Basic-auth registry production)', () => {
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const secretForms = [password, Buffer.from(`${USER}:${password}`).toString('base64')];
    const outputs: { what: string; result: CliResult }[] = [];
    const scratch: { cleanup: () => void }[] = [];
    let registry: TestRegistry;
    let project: DeployProject;
    let runUrl: string;
    let runContainerId: string;

    /** Runs the CLI, keeps its output for the secret search, and asserts it exited 0. */
    const cliOk = async (what: string, args: string[], options: CliOptions = {}) => {
      const result = await runCli(project.args(...args), options);
      outputs.push({ what, result });
      assert.equal(result.code, 0, `${what}: modeldeploy ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
      return result;
    };

    before(async () => {
      registry = await startRegistry({ auth: { username: USER, password } });
      project = irisProject('rel-security');
      setEnvironments(project.dir, { staging: {}, production: { registry: registry.host } });
      await buildVersion(project, V1);
      const run = parseJson<{ container: string; url: string }>((await cliOk('run', ['run', '--json'])).stdout);
      [runUrl, runContainerId] = [run.url, run.container];
      await cliOk('local deploy', ['deploy', '--env', 'staging', '--json']);
    });
    after(async () => {
      await project?.cleanup();
      await registry?.remove();
      for (const s of scratch) s.cleanup();
    });

    const hardened = async (role: string, id: string) => {
      const container = docker.getContainer(id);
      const info = await container.inspect();
      const uid = info.State.Running ? await uidInside(container) : undefined;
      const gaps = hardeningGaps(info);
      if (uid === '0') gaps.push('id -u inside prints 0');
      const figure = gaps.length ? gaps.join('; ') : `user ${info.Config.User}${uid === undefined ? ' (no id in the image)' : ` (id -u ${uid})`}, read-only rootfs, CapDrop ALL, no-new-privileges, ports ${publishedPorts(info).join(', ') || 'none'}`;
      recordFigure('security', `hardened: ${role}`, figure, gaps.length === 0);
      assert.deepEqual(gaps, [], `${role} ${info.Name}`);
    };

    it('the container of `run` is non-root, read-only, without capabilities or new privileges, on loopback', async () => {
      await hardened('run container', runContainerId);
    });

    it("a local deploy's version container and router are hardened the same way", async () => {
      const versions = await environmentContainers(project.name, 'staging', 'environment');
      const routers = await environmentContainers(project.name, 'staging', 'router');
      assert.equal(versions.length, 1, 'one version container serves staging');
      assert.equal(routers.length, 1, 'one router container fronts staging');
      await hardened('local deploy, version container', versions[0].Id);
      await hardened('local deploy, router container', routers[0].Id);
    });

    it('a body over the limit is refused with 413 and a JSON error, whether its length is declared or not', async () => {
      const url = `${runUrl}/v2/models/${project.name}/infer`;
      const declared = await postOversized(url, BODY_LIMIT + 1, true);
      const chunked = await postOversized(url, BODY_LIMIT + 1024 * 1024, false);
      const ok = [declared, chunked].every((a) => a.status === 413 && /over the limit/.test(parseJson<{ error: string }>(a.body).error));
      recordFigure('security', 'body limit (16 MiB)', `declared ${BODY_LIMIT + 1} bytes: ${declared.status}; chunked ${BODY_LIMIT + 1024 * 1024} bytes: ${chunked.status}`, ok);
      assert.equal(declared.status, 413, declared.body);
      assert.equal(chunked.status, 413, chunked.body);
      assert.match(parseJson<{ error: string }>(declared.body).error, /over the limit of 16777216 bytes/);
    });

    it('credentials from DOCKER_CONFIG auths, a credential helper and `login` on stdin appear in no output, file, log or container config', async () => {
      const auths = dockerConfigDir({ [registry.host]: { username: USER, password } });
      const helperHome = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-helper-'));
      const loginConfig = dockerConfigDir();
      scratch.push(auths, loginConfig, { cleanup: () => fs.rmSync(helperHome, { recursive: true, force: true }) });
      const helperConfig = path.join(helperHome, 'docker-config');
      fs.mkdirSync(helperConfig);
      fs.writeFileSync(path.join(helperConfig, 'config.json'), JSON.stringify({ credHelpers: { [registry.host]: 'mdrel' } }));
      const helperPath = installCredentialHelper(helperHome, 'mdrel', { [registry.host]: { username: USER, password } });
      const sources: [string, NodeJS.ProcessEnv][] = [
        ['auths', { DOCKER_CONFIG: auths.dir }],
        ['credHelpers', { DOCKER_CONFIG: helperConfig, PATH: helperPath }],
        ['login', { DOCKER_CONFIG: loginConfig.dir }],
      ];
      await cliOk('login', ['login', '--registry', registry.host, '--username', USER, '--json'], { env: { DOCKER_CONFIG: loginConfig.dir }, input: `${password}\n` });
      for (const [source, env] of sources) {
        // Each deploy reaches the registry, which answers only with the login: exit 0 proves the source was used.
        await cliOk(`deploy (${source})`, ['deploy', '--env', 'production', '--json'], { env });
        await cliOk(`deploy text (${source})`, ['deploy', '--env', 'production'], { env });
        await cliOk(`history (${source})`, ['history', '--env', 'production', '--json'], { env });
        await cliOk(`diff (${source})`, ['diff', '--env', 'production', '--json'], { env });
      }
      await cliOk('history (local staging)', ['history', '--env', 'staging', '--json']);

      const files = filesUnder(path.join(project.dir, '.modeldeploy'));
      assert.ok(files.some((f) => f.endsWith('history.jsonl')), 'the audit trail is among the files searched');
      const containers = await projectContainers(project.name);
      const places: [string, string][] = [
        ...outputs.flatMap(({ what, result }): [string, string][] => [[`${what}: stdout`, result.stdout], [`${what}: stderr`, result.stderr]]),
        ...files.map((file): [string, string] => [path.relative(project.dir, file), fs.readFileSync(file, 'latin1')]),
      ];
      for (const c of containers) {
        const container = docker.getContainer(c.Id);
        places.push([`logs of ${c.Names[0]}`, await containerOutput(container)], [`inspect of ${c.Names[0]}`, JSON.stringify(await container.inspect())]);
      }
      const leaks = places.filter(([, text]) => secretForms.some((form) => text.includes(form))).map(([where]) => where);
      recordFigure('security', 'credentials (auths, credHelpers, login on stdin) absent', `searched ${outputs.length * 2} CLI outputs (text and --json), ${files.length} .modeldeploy files, logs and config of ${containers.length} containers: ${leaks.length ? `found in ${leaks.join(', ')}` : 'not found'}`, leaks.length === 0);
      assert.deepEqual(leaks, []);
    });
  });

  describe('paths escaping the project', () => {
    const cases: [string, string, (dir: string) => void, RegExp][] = [
      ['model: ../x.onnx', 'build', (dir) => replaceInConfig(dir, /^model: .*$/m, 'model: ../x.onnx'), /points outside the project folder/],
      ['a model symlink pointing outside', 'build', (dir) => {
        fs.symlinkSync(path.join(REPO_ROOT, 'examples', 'iris', 'model', 'iris-v1.onnx'), path.join(dir, 'model', 'outside.onnx'));
        replaceInConfig(dir, /^model: .*$/m, 'model: model/outside.onnx');
      }, /is a link to .*, outside the project folder/],
      ['validation.data: /etc/passwd', 'validate', (dir) => replaceInConfig(dir, /^  data: .*$/m, '  data: /etc/passwd'), /must be a path relative to the project folder/],
    ];
    const refused: string[] = [];
    after(() => recordFigure('security', 'paths escaping the project refused (exit 2)', refused.join('; '), refused.length === cases.length && refused.every((r) => r.endsWith('exit 2'))));

    for (const [what, command, edit, message] of cases) {
      it(`${what}: ${command} refuses it with exit 2 and says why`, async () => {
        const copy = copyExample('iris');
        try {
          edit(copy.dir);
          const result = await runCli([command, '--project', copy.dir]);
          refused.push(`${what}: exit ${result.code}`);
          assert.equal(result.code, 2, result.stderr);
          assert.match(result.stderr, message);
        } finally {
          copy.cleanup();
        }
      });
    }
  });

  describe('source checks', () => {
    it('every webview is given HTML with a content-security policy: default-src none, scripts only by a fresh nonce', () => {
      const producers: string[] = [];
      const problems: string[] = [];
      for (const file of sourceFiles(REPO_ROOT, 'src/extension')) {
        const text = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
        const assigned = [...text.matchAll(/\.html\s*=\s*(\w+)\(/g)].map((m) => m[1]);
        if (/createWebviewPanel|registerWebviewViewProvider|resolveWebviewView/.test(text) && !assigned.length) problems.push(`${file} makes a webview but sets no HTML from a producer`);
        for (const name of assigned) {
          producers.push(`${path.basename(file)} ${name}()`);
          problems.push(...cspProblems(functionSource(text, name), `${file} ${name}()`));
        }
      }
      recordFigure('security', 'webviews with a content-security policy', `${producers.join(', ') || 'none found'}: ${problems.length ? problems.join('; ') : "default-src 'none', script-src by a random nonce, every <script> with it"}`, producers.length > 0 && problems.length === 0);
      assert.ok(producers.length > 0, 'the metrics diff webview is found');
      assert.deepEqual(problems, []);
    });

    it('no process is started through a shell: no exec/execSync, no shell option; the spawn sites listed', () => {
      const uses = sourceFiles(REPO_ROOT, 'src').map((file) => ({ file, ...processUse(REPO_ROOT, file) }));
      const problems = uses.flatMap((u) => [
        ...u.imported.filter((name) => name === 'exec' || name === 'execSync' || name.startsWith('* as') || name.startsWith('require')).map((name) => `${u.file} imports ${name} from child_process`),
        ...u.shellOptions.map((s) => `${s.file}:${s.line} ${s.text}`),
      ]);
      const sites = uses.flatMap((u) => u.sites);
      recordFigure('security', 'no shell: child_process spawn sites', `${sites.map((s) => `${s.file}:${s.line} ${s.call}, ...)`).join('; ')}${problems.length ? `; PROBLEMS: ${problems.join('; ')}` : ''}`, problems.length === 0);
      assert.deepEqual(problems, []);
      assert.ok(sites.length > 0, 'the spawn sites are found (the scan works)');
    });
  });
});

function replaceInConfig(dir: string, line: RegExp, replacement: string): void {
  const file = path.join(dir, 'modeldeploy.yaml');
  const text = fs.readFileSync(file, 'utf8');
  assert.match(text, line, 'the example config has the line to change');
  fs.writeFileSync(file, text.replace(line, replacement));
}

/** What a webview HTML producer's source lacks of a strict content-security policy with a script nonce. */
function cspProblems(source: string | undefined, where: string): string[] {
  if (!source) return [`${where}: its source is not found`];
  const problems: string[] = [];
  const nonce = /script-src '?nonce-\$\{(\w+)\}'/.exec(source)?.[1];
  if (!/<meta http-equiv="Content-Security-Policy"/.test(source)) problems.push('no Content-Security-Policy meta');
  if (!/default-src 'none'/.test(source)) problems.push("no default-src 'none'");
  if (/unsafe-inline|unsafe-eval/.test(source)) problems.push('an unsafe-* source');
  if (!nonce) problems.push('no script-src nonce');
  else {
    if (!new RegExp(`const ${nonce} = randomBytes\\((1[6-9]|[2-9]\\d)\\)`).test(source)) problems.push(`the nonce ${nonce} is not 16 or more random bytes`);
    const scripts = source.match(/<script\b[^>]*>/g) ?? [];
    for (const tag of scripts) if (!tag.includes(`nonce="\${`) || !tag.includes(nonce)) problems.push(`a <script> without the nonce: ${tag}`);
  }
  if (source.indexOf('Content-Security-Policy') > source.search(/<script|<link/)) problems.push('the policy comes after a script or stylesheet');
  return problems.map((p) => `${where}: ${p}`);
}
