import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { packBuildContext } from '../../src/core/packaging/buildContext';
import { generateDockerfile, generateRuntimeDockerfile, withLabels } from '../../src/core/packaging/dockerfile';
import { gitSource } from '../../src/core/packaging/gitSource';
import { healthProbeScript } from '../../src/core/packaging/healthProbe';
import { runtimeAssets } from '../../src/core/packaging/runtimeAssets';
import { makeProject, REPO_ROOT } from '../support/projectFixture';

describe('packaging without an engine', () => {
  describe('runtimeAssets', () => {
    it("takes the server bundle, which carries onnxruntime's JavaScript, and of onnxruntime the x64 native files for linux/amd64", () => {
      const paths = runtimeAssets('linux/amd64').map((f) => f.archivePath);
      assert.ok(paths.includes('runtime/runtime.js'));
      assert.ok(paths.includes('runtime/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node'));
      assert.ok(paths.includes('runtime/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1'));
      assert.deepEqual(
        paths.filter((p) => p.startsWith('runtime/node_modules/') && p.endsWith('.js')),
        [],
        "onnxruntime's JavaScript is in the bundle",
      );
      assert.ok(paths.every((p) => !/\/(arm64|darwin|win32)\//.test(p)), 'no other platform');
      assert.ok(paths.every((p) => !p.endsWith('.map') && !p.endsWith('.d.ts') && !p.includes('/esm/')), 'no maps, typings or ES modules');
    });

    it('takes the arm64 native files for linux/arm64', () => {
      const natives = runtimeAssets('linux/arm64')
        .map((f) => f.archivePath)
        .filter((p) => p.includes('/bin/'));
      assert.deepEqual(natives.sort(), ['runtime/node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/libonnxruntime.so.1', 'runtime/node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/onnxruntime_binding.node']);
    });
  });

  describe('the Dockerfiles', () => {
    it("the runtime image runs as uid 1000 with a health check and copies only the runtime and its router's state folder, owned by that user", () => {
      const text = generateRuntimeDockerfile('node:20-bookworm-slim');
      assert.match(text, /^FROM node:20-bookworm-slim$/m);
      assert.match(text, /^USER 1000:1000$/m);
      assert.match(text, /^HEALTHCHECK .*\/v2\/health\/ready/m);
      assert.deepEqual(text.match(/^COPY .*/gm), ['COPY --chown=1000:1000 router-state/ /opt/modeldeploy/router-state/', 'COPY runtime/ /opt/modeldeploy/runtime/']);
    });

    it("a project's image copies the model, then the metadata, on the runtime image", () => {
      assert.deepEqual(generateDockerfile().match(/^(FROM|COPY) .*/gm), ['FROM ${MODELDEPLOY_RUNTIME}', 'COPY model/ /opt/modeldeploy/model/', 'COPY runtime.json /opt/modeldeploy/runtime.json']);
    });

    it('labels go into one LABEL line with quotes, backslashes, dollars and newlines escaped', () => {
      const text = withLabels('FROM x\n\n', { a: 'say "hi"', b: 'C:\\path', c: '$HOME', d: 'two\nlines' });
      assert.equal(text, 'FROM x\nLABEL a="say \\"hi\\"" \\\n      b="C:\\\\path" \\\n      c="\\$HOME" \\\n      d="two lines"\n');
    });
  });

  describe('healthProbeScript: the check the engine runs in a container', () => {
    let server: http.Server;
    let port: number;
    const seen: (string | undefined)[] = [];

    before(async () => {
      // 200 only with the router's token: the same answer its admin API gives.
      server = http.createServer((request, response) => {
        seen.push(request.headers.authorization);
        response.writeHead(request.url === '/healthz' && request.headers.authorization === 'Bearer t0ken' ? 200 : 401).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(() => server.close());

    // Run beside this process's event loop, which answers the probe.
    const probe = (script: string, env: NodeJS.ProcessEnv) =>
      new Promise<number | null>((resolve) => spawn(process.execPath, ['-e', script], { env: { ...process.env, ...env }, timeout: 10_000 }).on('exit', resolve));
    const routerProbe = healthProbeScript({ port: 'process.env.ADMIN_PORT', path: '/healthz', headers: "{authorization:'Bearer '+process.env.TOKEN}" });

    it('exits 0 on a 200, with the port and headers read from the container\'s environment, not written into the check', async () => {
      assert.equal(await probe(routerProbe, { ADMIN_PORT: String(port), TOKEN: 't0ken' }), 0);
      assert.equal(seen.at(-1), 'Bearer t0ken');
      assert.ok(!routerProbe.includes('t0ken'));
    });

    it('exits 1 on any other status, and when nothing listens', async () => {
      assert.equal(await probe(routerProbe, { ADMIN_PORT: String(port), TOKEN: 'wrong' }), 1);
      assert.equal(await probe(healthProbeScript({ port: String(port), path: '/v2/health/ready' }), {}), 1);
      assert.equal(await probe(routerProbe, { ADMIN_PORT: '1', TOKEN: 't0ken' }), 1);
    });
  });

  describe('packBuildContext', () => {
    it('gives byte-identical archives for the same files (fixed owner, mode and time)', async () => {
      const project = makeProject({ 'model/m.onnx': Buffer.from([1, 2, 3, 4]) });
      try {
        const entries = [
          { archivePath: 'Dockerfile', content: 'FROM scratch\n' },
          { archivePath: 'model/m.onnx', source: `${project.dir}/model/m.onnx` },
        ];
        const first = await buffer(packBuildContext(entries));
        fs.utimesSync(`${project.dir}/model/m.onnx`, new Date(), new Date(Date.now() + 60_000)); // a new mtime on disk must not matter
        const second = await buffer(packBuildContext(entries));
        assert.ok(first.length > 1024);
        assert.ok(first.equals(second));
        const listing = execFileSync('tar', ['-tvf', '-'], { input: first, encoding: 'utf8' });
        assert.match(listing, /-rw-r--r-- 0\/0 +13 2000-01-01 00:00 Dockerfile/);
        assert.match(listing, /-rw-r--r-- 0\/0 +4 2000-01-01 00:00 model\/m\.onnx/);
      } finally {
        project.cleanup();
      }
    });

    it('fails the stream when a file is missing', async () => {
      await assert.rejects(buffer(packBuildContext([{ archivePath: 'x', source: '/nonexistent/model.onnx' }])), /ENOENT/);
    });
  });

  describe('gitSource', () => {
    it('gives the commit and a remote URL without its user and token', async () => {
      const project = makeProject({ 'a.txt': 'a' });
      try {
        const git = (...args: string[]) => execFileSync('git', args, { cwd: project.dir, encoding: 'utf8' }).trim();
        git('init', '-q');
        git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'x');
        git('remote', 'add', 'origin', 'https://alice:ghp_secret@github.com/acme/models.git');
        const source = await gitSource(project.dir);
        assert.equal(source.revision, git('rev-parse', 'HEAD'));
        assert.equal(source.url, 'https://github.com/acme/models.git');
      } finally {
        project.cleanup();
      }
    });

    it('gives nothing outside a repository', async () => {
      const project = makeProject({});
      try {
        assert.deepEqual(await gitSource(project.dir), { revision: undefined, url: undefined });
      } finally {
        project.cleanup();
      }
    });
  });

  it('the repository root holds the runtime bundle the assets point at', () => {
    assert.equal(runtimeAssets('linux/amd64')[0].source, `${REPO_ROOT}/dist/runtime.js`);
  });
});
