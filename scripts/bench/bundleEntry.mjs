// Bundles one benchmark reference with the options of the shipped Node bundles, so that it loads
// its code the way ours does: the engine client's own bundles (and their .proto files) go beside it, as
// they sit beside the CLI in dist/. `node bundleEntry.mjs ENTRY.ts OUTFILE.js` (after `npm run build`)
import * as esbuild from 'esbuild';
import { cpSync } from 'node:fs';
import * as path from 'node:path';
import { nodeBundleOptions } from '../bundleOptions.mjs';
import { ENGINE_CLIENT, LAZY_MODULES } from '../lazyEngineTransports.mjs';

const [entry, outfile] = process.argv.slice(2);
await esbuild.build({ ...nodeBundleOptions(false), sourcemap: false, entryPoints: [entry], outfile });
const dist = new URL('../../dist/', import.meta.url).pathname;
for (const { out } of [ENGINE_CLIENT, ...LAZY_MODULES]) cpSync(path.join(dist, `${out}.js`), path.join(path.dirname(outfile), `${out}.js`));
cpSync(path.join(dist, 'proto'), path.join(path.dirname(outfile), 'proto'), { recursive: true });
