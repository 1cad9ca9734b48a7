import Ajv, { type ValidateFunction } from 'ajv';
import schema from '../../../schemas/modeldeploy.schema.json';

/**
 * How the config schema is compiled, here and by the bundles' precompiled copy (scripts/build.mjs).
 * strict: false lets the schema carry editor-only keywords such as patternErrorMessage; the schema is
 * checked against JSON Schema's meta-schema by the tests rather than by every command.
 */
export const CONFIG_SCHEMA_OPTIONS = { allErrors: true, verbose: true, strict: false, validateSchema: false } as const;

/**
 * The config schema's validator, compiled when first asked for. The bundles replace this module with
 * code generated from the same schema and options at build time, so commands skip the compilation.
 */
export function configSchemaValidator(): ValidateFunction {
  return new Ajv(CONFIG_SCHEMA_OPTIONS).compile(schema);
}
