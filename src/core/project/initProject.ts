import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { UserError } from '../errors';
import type { ModelInfo } from '../model/modelInfo';
import { formatShape } from '../report/modelReport';
import { runInWorker } from '../worker/runInWorker';
import { isInside } from './projectPaths';
import { CONFIG_FILE_NAME, DEFAULT_BASE_IMAGE, DEFAULT_PLATFORM, type Task } from './projectConfig';

export interface InitResult {
  configFile: string;
  model: string;
  task: Task;
}

/**
 * Writes a commented modeldeploy.yaml for the model in `dir` (or `modelFile`), filled from the model's
 * metadata. Refuses to overwrite an existing config.
 */
export async function initProject(dir: string, modelFile?: string, signal?: AbortSignal): Promise<InitResult> {
  const projectDir = path.resolve(dir);
  const configFile = path.join(projectDir, CONFIG_FILE_NAME);
  if (await exists(configFile)) throw new UserError(`${CONFIG_FILE_NAME} already exists`, { file: configFile }, 'edit it, or delete it first to start over');
  const model = modelFile ?? (await findOnlyModel(projectDir));
  if (!isInside(projectDir, model)) throw new UserError('the model must be inside the project folder', { file: model }, `move it under ${projectDir}`);
  const info = await runInWorker('inspect', { file: model }, { signal });
  const task = guessTask(info);
  await fs.writeFile(configFile, configText(projectDir, path.relative(projectDir, model), info, task), { flag: 'wx' });
  return { configFile, model, task };
}

async function findOnlyModel(dir: string): Promise<string> {
  const models: string[] = [];
  async function walk(current: string, depth: number): Promise<void> {
    for (const entry of await fs.readdir(current, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(current, entry.name);
      if (entry.isFile() && entry.name.toLowerCase().endsWith('.onnx')) models.push(full);
      else if (entry.isDirectory() && depth < 3) await walk(full, depth + 1);
    }
  }
  await walk(dir, 0);
  if (models.length === 0) throw new UserError('no .onnx model in this folder', { file: dir }, 'put the exported model in the folder, or pass --model FILE');
  if (models.length > 1) {
    throw new UserError(`${models.length} .onnx models in this folder: ${models.map((m) => path.relative(dir, m)).sort().join(', ')}`, { file: dir }, 'choose one with --model FILE');
  }
  return models[0];
}

/** A float output of [batch, classes>1] is a classifier; a float output of one value per row is a regressor. */
export function guessTask(info: ModelInfo): Task {
  const output = info.outputs.find((o) => o.isTensor);
  if (!output || !output.type.startsWith('float')) return 'raw';
  const perRow = output.shape.slice(1);
  if (perRow.length === 0 || (perRow.length === 1 && perRow[0] === 1)) return 'regression';
  if (perRow.length === 1 && (typeof perRow[0] === 'string' || perRow[0] > 1)) return 'classification';
  return 'raw';
}

function configText(dir: string, modelPath: string, info: ModelInfo, task: Task): string {
  const name = path.basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'model';
  const input = info.inputs.find((i) => i.isTensor) ?? info.inputs[0];
  const output = info.outputs.find((o) => o.isTensor) ?? info.outputs[0];
  const inputShape = input ? `[-1${input.shape.slice(1).map((d) => `, ${typeof d === 'number' ? d : '?'}`).join('')}]` : '[-1]';
  const io = (kind: string, list: ModelInfo['inputs']) => list.map((t) => `#   ${kind} ${t.name}: ${t.type} ${formatShape(t.shape)}`).join('\n');
  const metrics = task === 'regression' ? '[mae, rmse, r2, mape]' : '[accuracy, f1_macro, roc_auc, log_loss]';
  const gate = task === 'regression' ? 'rmse: { max: 1.0 }' : 'accuracy: { min: 0.9, max_drop: 0.01 }';
  const modelYaml = /^[\w./-]+$/.test(modelPath) ? modelPath : JSON.stringify(modelPath);
  return `# Model Deploy project. Reference: the JSON Schema gives completion and hover for every key.
# Model ${modelPath} (sha256 ${info.sha256.slice(0, 12)}..., ${info.sizeBytes} bytes)
${io('input ', info.inputs)}
${io('output', info.outputs)}

name: ${name}                 # image repository name
version: 0.1.0                # semantic version; the image tag
model: ${modelYaml}
task: ${task}                 # classification | regression | raw (raw: no metrics)
# labels: [class0, class1]    # class names by index, used in responses and reports
# sample: sample.json         # a test-prediction request (Open Inference Protocol v2 JSON)

# validation:                 # score the model on a labelled set before every deploy
#   data: data/validation.csv # .csv, .csv.gz or .jsonl
#   target: label             # the label / target column
#   features: [a, b, c]       # default: every column but the target
#   input: { name: ${input?.name ?? 'input'}, shape: ${inputShape}, scale: 1.0 }
#   output: ${output?.name ?? 'output'}
#   metrics: ${metrics}

# gates:                      # checked before a deploy; production refuses a failing gate
#   ${gate}

# image:
#   base: ${DEFAULT_BASE_IMAGE}
#   platform: ${DEFAULT_PLATFORM}
`;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
