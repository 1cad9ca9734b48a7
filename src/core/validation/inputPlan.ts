import { UserError } from '../errors';
import { elementCount } from '../model/elementCount';
import type { ModelInfo, TensorInfo } from '../model/modelInfo';
import type { ProjectConfig } from '../project/projectConfig';

/** Element types a row of numeric features can be turned into. */
export type NumericType = 'float32' | 'float64' | 'int32' | 'int64';
const NUMERIC_TYPES: readonly string[] = ['float32', 'float64', 'int32', 'int64'];

/** How validation rows become model input and which output is scored. */
export interface InputPlan {
  inputName: string;
  elementType: NumericType;
  /** Shape of one row without the batch dimension, e.g. [4] or [1, 28, 28]. */
  rowShape: number[];
  rowSize: number;
  scale: number;
  /** Rows per run(): the model's own batch size when its batch dimension is fixed. */
  batchSize: number;
  /** A fixed batch must be filled completely: the last one is padded. */
  batchFixed: boolean;
  outputName: string;
}

export const DEFAULT_BATCH_SIZE = 256;

/**
 * Decides, from the config and the model's signature, how a row of `featureCount` values is fed to the
 * model. Every mismatch is a user error naming the config field to change.
 */
export function planInput(project: ProjectConfig, model: ModelInfo, featureCount: number): InputPlan {
  const validation = project.validation!;
  const at = (field: string) => ({ file: project.configFile, field });
  const tensorInputs = model.inputs.filter((i) => i.isTensor);

  let input: TensorInfo | undefined;
  if (validation.input.name) {
    input = model.inputs.find((i) => i.name === validation.input.name);
    if (!input) throw new UserError(`the model has no input "${validation.input.name}"`, at('validation.input.name'), `its inputs are ${names(model.inputs)}`);
  } else if (tensorInputs.length === 1) {
    input = tensorInputs[0];
  } else {
    throw new UserError(`the model has ${model.inputs.length} inputs (${names(model.inputs)}) and validation feeds one`, at('validation.input.name'), 'set validation.input.name to the input the features go to; models whose other inputs need values cannot be validated from a table');
  }
  if (tensorInputs.length > 1) {
    throw new UserError(`the model needs ${tensorInputs.length} inputs (${names(tensorInputs)}); validation can fill only "${input.name}"`, at('validation.input.name'), 'validate a model that takes the features as one tensor, or use task: raw');
  }
  if (!NUMERIC_TYPES.includes(input.type)) {
    throw new UserError(`model input "${input.name}" takes ${input.type} values; validation feeds numbers (float32, float64, int32 or int64)`, at('validation.input.name'));
  }

  const declared = validation.input.shape;
  const modelShape = input.shape;
  const rowShape = declared ? declared.slice(1) : modelShape.slice(1).map((d) => (typeof d === 'number' ? d : -1));
  if (declared && declared[0] !== -1 && declared[0] !== 1) {
    throw new UserError(`validation.input.shape must start with -1 (the batch dimension), not ${declared[0]}`, at('validation.input.shape'), `for example [-1, ${featureCount}]`);
  }
  if (rowShape.some((d) => d < 1)) {
    throw new UserError(`model input "${input.name}" has shape [${modelShape.join(', ')}] with free dimensions besides the batch`, at('validation.input.shape'), `set validation.input.shape, for example [-1, ${featureCount}]`);
  }
  if (modelShape.length === 0) {
    throw new UserError(`model input "${input.name}" is a scalar; validation feeds a row of ${featureCount} values`, at('validation.input.name'));
  }
  const rowSize = elementCount(rowShape);
  if (rowSize !== featureCount) {
    throw new UserError(
      `model input "${input.name}" takes ${rowSize} values per row (shape [${['-1', ...rowShape].join(', ')}]) but the data gives ${featureCount} feature columns`,
      at(validation.features ? 'validation.features' : 'validation.input.shape'),
      validation.features ? 'list exactly the columns the model takes' : 'list the feature columns under validation.features, or fix validation.input.shape',
    );
  }
  if (modelShape.length !== rowShape.length + 1 || modelShape.slice(1).some((d, i) => typeof d === 'number' && d !== rowShape[i])) {
    throw new UserError(`validation.input.shape [-1, ${rowShape.join(', ')}] does not fit model input "${input.name}" of shape [${modelShape.join(', ')}]`, at('validation.input.shape'));
  }

  const tensorOutputs = model.outputs.filter((o) => o.isTensor);
  const output = validation.output ? model.outputs.find((o) => o.name === validation.output) : tensorOutputs[0];
  if (!output) {
    throw new UserError(
      validation.output ? `the model has no output "${validation.output}"` : 'the model has no tensor output to score',
      at('validation.output'),
      `its outputs are ${names(model.outputs)}`,
    );
  }
  if (!output.isTensor) throw new UserError(`model output "${output.name}" is not a tensor (${output.type}) and cannot be scored`, at('validation.output'), `choose a tensor output: ${names(tensorOutputs)}`);

  const fixed = typeof modelShape[0] === 'number';
  return {
    inputName: input.name,
    elementType: input.type as NumericType,
    rowShape,
    rowSize,
    scale: validation.input.scale,
    batchSize: fixed ? (modelShape[0] as number) : DEFAULT_BATCH_SIZE,
    batchFixed: fixed,
    outputName: output.name,
  };
}

function names(values: TensorInfo[]): string {
  return values.map((v) => `"${v.name}"`).join(', ') || 'none';
}
