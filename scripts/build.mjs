// Bundles each entry point with esbuild. onnxruntime-node's JavaScript goes into the bundles; its native
// files are loaded from node_modules (extension, CLI) or copied next to the bundle (the serving image).
import * as esbuild from 'esbuild';
import { cpSync, existsSync } from 'node:fs';
import { nodeBundleOptions } from './bundleOptions.mjs';
import { ENGINE_CLIENT, LAZY_MODULES } from './lazyEngineTransports.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const entries = [
  // The activation shell, and the extension's parts that it loads on first need.
  { in: 'src/extension/extension.ts', out: 'extension' },
  { in: 'src/extension/modelDeploy.ts', out: 'modelDeploy' },
  { in: 'src/cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'src/core/worker/coreWorker.ts', out: 'coreWorker' },
  { in: 'src/core/validation/dataReaderWorker.ts', out: 'dataReaderWorker' },
  // The model server and the environment router, its second entry point, ship in the runtime image:
  // minified always, as every container start reads and compiles them (a few milliseconds fewer to ready).
  { in: 'src/runtime/server.ts', out: 'runtime', image: true },
  { in: 'src/runtime/router.ts', out: 'router', image: true },
  // The engine client, and its ssh:// transport and BuildKit session, loaded on first use (lazyEngineTransports).
  ...[ENGINE_CLIENT, ...LAZY_MODULES].map((m) => ({ in: m.in, out: m.out })),
  // Scripts that run inside webviews: a browser bundle each, nothing of Node.
  { in: 'src/webview/diffView.ts', out: 'diffView', browser: true },
  { in: 'src/webview/liveMetricsView.ts', out: 'liveMetricsView', browser: true },
].filter((e) => existsSync(e.in));

// The engine client reads its BuildKit session's .proto files from beside the code that loads them,
// which in a bundle is dist/.
cpSync('node_modules/dockerode/lib/proto', 'dist/proto', { recursive: true });

const node = nodeBundleOptions(production);
// The image's processes run onnxruntime (the model server) on their main thread, never in a worker.
const image = nodeBundleOptions(true, { mainThreadOnly: true });
const contexts = await Promise.all(
  entries.map((e) =>
    esbuild.context({
      ...(e.image ? image : node),
      ...(e.browser ? { platform: 'browser', format: 'iife', target: 'es2022', external: [], plugins: [] } : {}),
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
