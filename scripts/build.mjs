// Bundles each entry point with esbuild. onnxruntime-node stays external: its native files are
// loaded from node_modules (extension, CLI) or copied next to the bundle (the serving image).
import * as esbuild from 'esbuild';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { precompiledSchema } from './precompiledSchema.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const common = {
  define: { RUNTIME_VERSION: JSON.stringify(version) },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  // ssh2 (the engine client's ssh:// transport) requires optional native add-ons inside try/catch:
  // left out, it falls back to its JavaScript code.
  external: ['onnxruntime-node', 'vscode', '*.node'],
  logLevel: 'warning',
};

const entries = [
  { in: 'src/extension/extension.ts', out: 'extension' },
  { in: 'src/cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'src/core/worker/coreWorker.ts', out: 'coreWorker' },
  { in: 'src/core/validation/dataReaderWorker.ts', out: 'dataReaderWorker' },
  { in: 'src/runtime/server.ts', out: 'runtime' },
  // The environment router: a second entry point shipped in the runtime image.
  { in: 'src/runtime/router.ts', out: 'router' },
  // Scripts that run inside webviews: a browser bundle each, nothing of Node.
  { in: 'src/webview/diffView.ts', out: 'diffView', browser: true },
].filter((e) => existsSync(e.in));

// The engine client reads its BuildKit session's .proto files from beside the code that loads them,
// which in a bundle is dist/.
cpSync('node_modules/dockerode/lib/proto', 'dist/proto', { recursive: true });

const contexts = await Promise.all(
  entries.map((e) =>
    esbuild.context({
      ...common,
      ...(e.browser ? { platform: 'browser', format: 'iife', target: 'es2022', external: [] } : { plugins: [precompiledSchema] }),
      entryPoints: { [e.out]: e.in },
      outdir: 'dist',
      banner: e.banner ? { js: e.banner } : undefined,
    }),
  ),
);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
