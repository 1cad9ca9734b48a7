// Replaced by the package version when the bundles are built.
declare const RUNTIME_VERSION: string | undefined;

/** Model Deploy's version: package.json's in the bundles, "dev" when run from compiled sources. */
export const PRODUCT_VERSION = typeof RUNTIME_VERSION === 'string' ? RUNTIME_VERSION : 'dev';
