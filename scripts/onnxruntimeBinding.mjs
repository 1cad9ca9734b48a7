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

// What the binding asks worker_threads for: whether it runs on the main thread, which it tells onnxruntime.
const WORKER_THREADS = 'require("worker_threads")';
const MAIN_THREAD = '{ isMainThread: true }';

/**
 * The plugin. `mainThreadOnly`, for a bundle that loads onnxruntime on its main thread and never in a
 * worker (the model server): the binding is told so instead of loading worker_threads to ask, which took
 * 3.5 ms of every container start (the module and the worker internals it loads).
 */
export function onnxruntimeBinding({ mainThreadOnly = false } = {}) {
  return {
    name: 'onnxruntime-binding',
    setup(build) {
      build.onLoad({ filter: /[\\/]onnxruntime-node[\\/]dist[\\/]binding\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes(RELATIVE)) throw new Error(`${args.path} no longer loads its native add-on by ${RELATIVE}: update scripts/onnxruntimeBinding.mjs`);
        let contents = source.replace(RELATIVE, FROM_PACKAGE);
        if (mainThreadOnly) {
          if (!contents.includes(WORKER_THREADS)) throw new Error(`${args.path} no longer asks ${WORKER_THREADS} whether it runs on the main thread: update scripts/onnxruntimeBinding.mjs`);
          contents = contents.replace(WORKER_THREADS, MAIN_THREAD);
        }
        return { contents, loader: 'js' };
      });
    },
  };
}
