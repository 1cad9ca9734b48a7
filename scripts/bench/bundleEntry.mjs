// Bundles one benchmark reference with the options of the shipped Node bundles, so that it loads
// its code the way ours does. `node bundleEntry.mjs ENTRY.ts OUTFILE.js`
import * as esbuild from 'esbuild';
import { nodeBundleOptions } from '../bundleOptions.mjs';

const [entry, outfile] = process.argv.slice(2);
await esbuild.build({ ...nodeBundleOptions(false), sourcemap: false, entryPoints: [entry], outfile });
