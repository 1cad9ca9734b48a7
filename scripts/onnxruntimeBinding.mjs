// An esbuild plugin that lets the bundles carry onnxruntime-node's JavaScript (and onnxruntime-common's)
// instead of loading its twenty-odd files from node_modules on every start (about 8 ms for the model
// server, and again in each worker thread). Only its native add-on stays outside: the binding loads it by a
// path relative to its own file, which in a bundle would point beside the bundle, so that path is made
// the package's own, which Node finds in the node_modules above the bundle (the repository, the
// installed extension, the image's runtime folder).
import { readFile } from 'node:fs/promises';

const RELATIVE = 'require(`../bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node`)';
// Joined at run time, so that esbuild leaves it to Node rather than look for the file at build time.
const FROM_PACKAGE = 'require(["onnxruntime-node", "bin", "napi-v6", process.platform, process.arch, "onnxruntime_binding.node"].join("/"))';

export const onnxruntimeBinding = {
  name: 'onnxruntime-binding',
  setup(build) {
    build.onLoad({ filter: /[\\/]onnxruntime-node[\\/]dist[\\/]binding\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(RELATIVE)) throw new Error(`${args.path} no longer loads its native add-on by ${RELATIVE}: update scripts/onnxruntimeBinding.mjs`);
      return { contents: source.replace(RELATIVE, FROM_PACKAGE), loader: 'js' };
    });
  },
};
