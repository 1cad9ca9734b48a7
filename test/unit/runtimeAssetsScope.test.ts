import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runtimeAssets } from '../../src/core/packaging/runtimeAssets';
import { REPO_ROOT } from '../support/projectFixture';

const ORT = path.join(REPO_ROOT, 'node_modules', 'onnxruntime-node');

function bytesUnder(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).reduce((sum, entry) => (entry.isFile() ? sum + fs.statSync(path.join(entry.parentPath, entry.name)).size : sum), 0);
}

function sizeOf(files: { source: string }[]): number {
  return files.reduce((sum, f) => sum + fs.statSync(f.source).size, 0);
}

describe('the runtime layer takes only what the target platform loads', () => {
  const allowed = (arch: string) => [
    /^runtime\/(runtime|router)\.js$/,
    /^runtime\/node_modules\/onnxruntime-node\/package\.json$/,
    new RegExp(`^runtime/node_modules/onnxruntime-node/bin/napi-v6/linux/${arch}/[^/]+$`),
  ];

  for (const [platform, arch] of [['linux/amd64', 'x64'], ['linux/arm64', 'arm64']] as const) {
    it(`${platform}: every file is a bundle (server, router), onnxruntime-node's package.json or bin/napi-v6/linux/${arch}, each once`, () => {
      const assets = runtimeAssets(platform);
      const paths = assets.map((f) => f.archivePath);
      const outside = paths.filter((p) => !allowed(arch).some((pattern) => pattern.test(p)));
      assert.deepEqual(outside, [], 'files from elsewhere in the package');
      assert.equal(new Set(paths).size, paths.length, 'no file twice');
      assert.ok(paths.every((p) => !p.endsWith('.map')), 'no source maps');
      assert.ok(assets.every((f) => f.source.startsWith(`${REPO_ROOT}${path.sep}`) && fs.statSync(f.source).isFile()));
    });

    it(`${platform}: the whole bin/napi-v6/linux/${arch} folder is there, and no other native file`, () => {
      const natives = runtimeAssets(platform)
        .filter((f) => f.archivePath.includes('/bin/'))
        .map((f) => path.basename(f.archivePath))
        .sort();
      assert.deepEqual(natives, fs.readdirSync(path.join(ORT, 'bin', 'napi-v6', 'linux', arch)).sort());
      assert.ok(natives.includes('onnxruntime_binding.node') && natives.includes('libonnxruntime.so.1'));
    });
  }

  it('the two platforms differ only in their native files', () => {
    const js = (platform: 'linux/amd64' | 'linux/arm64') =>
      runtimeAssets(platform)
        .map((f) => f.archivePath)
        .filter((p) => !p.includes('/bin/'));
    assert.deepEqual(js('linux/arm64'), js('linux/amd64'));
  });

  it('for linux/amd64: about 46 MB, a sixth of the 300 MB package', () => {
    const assets = sizeOf(runtimeAssets('linux/amd64'));
    const nativeX64 = bytesUnder(path.join(ORT, 'bin', 'napi-v6', 'linux', 'x64'));
    const whole = bytesUnder(ORT);
    assert.ok(assets >= nativeX64 && assets < nativeX64 + 5e6, `${assets} bytes: the x64 native files (${nativeX64}) and the bundles`);
    assert.ok(assets < whole / 5, `${assets} of the package's ${whole} bytes`);
  });
});
