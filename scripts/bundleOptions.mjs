// The esbuild options of every Node bundle: those that ship (build.mjs) and the benchmark's references
// that must load the same way ours do.
import { readFileSync } from 'node:fs';
import { ENGINE_CLIENT, LAZY_MODULES, lazyEngineTransports } from './lazyEngineTransports.mjs';
import { onnxruntimeBinding } from './onnxruntimeBinding.mjs';
import { precompiledSchema } from './precompiledSchema.mjs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/**
 * Options for a Node bundle; `production` minifies and drops the source map. `mainThreadOnly`: the bundle
 * loads onnxruntime on its main thread only (see onnxruntimeBinding).
 */
export function nodeBundleOptions(production, { mainThreadOnly = false } = {}) {
  return {
    define: { RUNTIME_VERSION: JSON.stringify(version) },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: !production,
    minify: production,
    // ssh2 (the engine client's ssh:// transport) requires optional native add-ons inside try/catch:
    // left out, it falls back to its JavaScript code. onnxruntime-node's add-on is loaded from its package
    // (onnxruntimeBinding). The stubs of lazyEngineTransports load their bundles from beside the bundle
    // that holds them, as the extension's activation shell loads its parts.
    external: ['vscode', '*.node', './modelDeploy.js', ...[ENGINE_CLIENT, ...LAZY_MODULES].map((m) => `./${m.out}.js`)],
    plugins: [precompiledSchema, lazyEngineTransports, onnxruntimeBinding({ mainThreadOnly })],
    logLevel: 'warning',
  };
}
