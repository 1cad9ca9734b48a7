// An esbuild plugin that moves the engine client (dockerode) into a bundle of its own, loaded when the
// engine is first needed, and two rarely used parts of it into two more: the ssh:// transport (ssh2 and
// its crypto) and the BuildKit session (gRPC and its .proto loader). Together they are most of a bundle
// that has them, and every start of the CLI or the extension would otherwise read and compile them.
import * as path from 'node:path';

/** The engine client's own bundle, which the code's `import('dockerode')` loads. */
export const ENGINE_CLIENT = { in: 'node_modules/dockerode/lib/docker.js', out: 'engineClient' };

/** Each module replaced by a stub, and the separate bundle (in dist/) that the stub loads. */
export const LAZY_MODULES = [
  { importer: 'docker-modem/lib/modem.js', request: './ssh', in: 'node_modules/docker-modem/lib/ssh.js', out: 'engineSsh' },
  { importer: 'dockerode/lib/docker.js', request: './session', in: 'node_modules/dockerode/lib/session.js', out: 'engineSession' },
];

export const lazyEngineTransports = {
  name: 'lazy-engine-transports',
  setup(build) {
    // Ours only: the engine client's bundle is built from the library's own entry file.
    build.onResolve({ filter: /^dockerode$/ }, () => ({ path: `./${ENGINE_CLIENT.out}.js`, external: true }));
    build.onResolve({ filter: /^\.\/(ssh|session)$/ }, (args) => {
      const lazy = LAZY_MODULES.find((m) => m.request === args.path && args.importer.split(path.sep).join('/').endsWith(m.importer));
      return lazy ? { path: lazy.out, namespace: 'lazy-engine-transport' } : undefined;
    });
    // Both modules export one function: the stub forwards each call to the real one.
    build.onLoad({ filter: /.*/, namespace: 'lazy-engine-transport' }, (args) => ({
      contents: `module.exports = function () { return require('./${args.path}.js').apply(this, arguments); };`,
      loader: 'js',
    }));
  },
};
