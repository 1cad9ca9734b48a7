// Builds the platform packages: one .vsix per VS Code target that onnxruntime-node ships native files for,
// each carrying that platform's files (for inspection and validation in the extension host) plus the linux
// x64 and arm64 files that images are built from. `node scripts/package.mjs [--target linux-x64 ...]`;
// the packages go to vsix/. `--target universal` makes the one package a single .vsix for every platform
// would be (every native file onnxruntime-node ships), for comparison.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const nativeRoot = 'node_modules/onnxruntime-node/bin/napi-v6';
const outDir = path.join(root, 'vsix');
// VS Code's targets, and why one of them has no package: onnxruntime-node 1.30 ships no darwin-x64 files.
const VS_CODE_TARGETS = ['linux-x64', 'linux-arm64', 'darwin-arm64', 'darwin-x64', 'win32-x64', 'win32-arm64'];

/** The targets onnxruntime-node has native files for, as <os>-<arch>. */
function shippedTargets() {
  return readdirSync(path.join(root, nativeRoot)).flatMap((os) => readdirSync(path.join(root, nativeRoot, os)).map((arch) => `${os}-${arch}`));
}

const asked = process.argv.flatMap((arg, i, all) => (all[i - 1] === '--target' ? [arg] : []));
const shipped = shippedTargets();
const UNIVERSAL = 'universal';
const targets = (asked.length ? asked : VS_CODE_TARGETS).filter((target) => {
  if (target === UNIVERSAL || shipped.includes(target)) return true;
  console.log(`package: no ${target} package: onnxruntime-node ships no native files for it`);
  return false;
});
if (asked.some((target) => target !== UNIVERSAL && !shipped.includes(target))) process.exit(2);

// Files of a target's folder that the extension never loads: the DirectML GPU libraries, which onnxruntime.dll
// opens only for the DirectML provider (they are in neither of its import tables; the extension runs on the
// CPU), and the macOS library's versioned copy (the binding links libonnxruntime.1.dylib).
const NEVER_LOADED = /^(DirectML\.dll|dxcompiler\.dll|dxil\.dll|libonnxruntime\.1\.\d+\.\d+\.dylib)$/;

/** A target's native files, re-included file by file: in an ignore file a re-included path wins over any exclusion. */
function ownFiles(target) {
  const [os, arch] = target.split('-');
  const folder = `${nativeRoot}/${os}/${arch}`;
  return readdirSync(path.join(root, folder)).filter((file) => !NEVER_LOADED.test(file)).map((file) => `!${folder}/${file}`);
}

const { name, version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const baseIgnore = readFileSync(path.join(root, '.vscodeignore'), 'utf8');
mkdirSync(outDir, { recursive: true });
const scratch = path.join(tmpdir(), `modeldeploy-package-${process.pid}`);
mkdirSync(scratch, { recursive: true });
const made = [];
try {
  for (const target of targets) {
    // The allowlist already re-includes the linux files (images are built from them); this adds the target's own.
    const ignoreFile = path.join(scratch, `${target}.vscodeignore`);
    writeFileSync(ignoreFile, `${baseIgnore}\n${(target === UNIVERSAL ? [`!${nativeRoot}/**`] : ownFiles(target)).join('\n')}\n`);
    const file = path.join(outDir, `${name}-${version}-${target}.vsix`);
    rmSync(file, { force: true });
    // Relative links in the README stay relative: the package has no repository to rewrite them against.
    execFileSync(process.execPath, [path.join(root, 'node_modules/@vscode/vsce/vsce'), 'package', ...(target === UNIVERSAL ? [] : ['--target', target]), '--ignoreFile', ignoreFile, '--out', file, '--allow-missing-repository', '--no-rewrite-relative-links'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    if (!existsSync(file)) throw new Error(`vsce made no ${file}`);
    made.push({ target, file, bytes: statSync(file).size });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
for (const { target, file, bytes } of made) console.log(`package: ${target.padEnd(12)} ${(bytes / 1e6).toFixed(1).padStart(5)} MB  ${path.relative(root, file)}`);
