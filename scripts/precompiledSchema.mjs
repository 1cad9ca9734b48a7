// An esbuild plugin that replaces src/core/project/configSchemaValidator.ts in the bundles with Ajv's
// standalone code for the config schema, generated here with the options that module exports: commands
// then validate modeldeploy.yaml without compiling the schema (tens of milliseconds on every start).
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const MODULE = path.resolve('src/core/project/configSchemaValidator.ts');
const SCHEMA = path.resolve('schemas/modeldeploy.schema.json');

/** The options the TypeScript module compiles with, read from it so both stay one. */
async function schemaOptions() {
  const { outputFiles } = await esbuild.build({ entryPoints: [MODULE], bundle: true, platform: 'node', format: 'cjs', write: false, external: ['ajv'], logLevel: 'silent' });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', outputFiles[0].text)(module, module.exports, createRequire(MODULE));
  return module.exports.CONFIG_SCHEMA_OPTIONS;
}

async function precompiledModule() {
  const options = await schemaOptions();
  const ajv = new Ajv.default({ ...options, code: { source: true } });
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')));
  return `${standaloneCode.default(ajv, validate)}
const validate = module.exports;
module.exports = { CONFIG_SCHEMA_OPTIONS: ${JSON.stringify(options)}, configSchemaValidator: () => validate };
`;
}

export const precompiledSchema = {
  name: 'precompiled-config-schema',
  setup(build) {
    build.onLoad({ filter: /[\\/]configSchemaValidator\.ts$/ }, async () => ({ contents: await precompiledModule(), loader: 'js', resolveDir: process.cwd(), watchFiles: [MODULE, SCHEMA] }));
  },
};
