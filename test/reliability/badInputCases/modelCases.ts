import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURE_MODELS } from '../../support/projectFixture';
import { IRIS } from '../../support/servingFixture';
import { writeUnloadableModel } from '../../support/unloadableModel';
import type { CliCase } from './cliCase';
import { externalDataModel, fixedShapeModel, noInputModel } from './onnxModels';

/** The iris example's model file, which each case below replaces with a bad one. */
const MODEL = 'model/iris-v2.onnx';
const modelFile = (dir: string) => path.join(dir, MODEL);
const ZIPMAP = fs.readFileSync(path.join(FIXTURE_MODELS, 'zipmap.onnx'));

const scoring = (output: string) => (dir: string) => {
  const file = path.join(dir, 'modeldeploy.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('output: probabilities', `output: ${output}`));
};

/** Model files that are not what they claim: refused naming the file (or the config line that names it), exit 2. */
export const modelCases: CliCase[] = [
  { name: 'a truncated model', files: { [MODEL]: fs.readFileSync(IRIS).subarray(0, 200) }, args: ['validate'], exit: 2, error: /^error: model\/iris-v2\.onnx: not an ONNX model \(200 bytes that do not parse as an ONNX ModelProto\)/m },
  { name: 'a text file named .onnx', files: { [MODEL]: 'this is not a model\n' }, args: ['inspect'], exit: 2, error: /model\/iris-v2\.onnx: not an ONNX model \(20 bytes/ },
  { name: 'an empty model file', files: { [MODEL]: '' }, args: ['inspect'], exit: 2, error: /model\/iris-v2\.onnx: not an ONNX model \(0 bytes/ },
  { name: 'random bytes named .onnx', files: { [MODEL]: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)) }, args: ['inspect'], exit: 2, error: /model\/iris-v2\.onnx: not an ONNX model \(4096 bytes/ },
  {
    name: 'a folder where the model should be',
    prepare: (dir) => {
      fs.rmSync(modelFile(dir));
      fs.mkdirSync(modelFile(dir));
    },
    args: ['inspect'],
    exit: 2,
    error: /modeldeploy\.yaml:4:8: model file "model\/iris-v2\.onnx" is not a file/,
  },
  { name: 'a missing model file', prepare: (dir) => fs.rmSync(modelFile(dir)), args: ['validate'], exit: 2, error: /modeldeploy\.yaml:4:8: model file "model\/iris-v2\.onnx" does not exist/ },
  {
    name: 'a model that is a link out of the project',
    prepare: (dir) => {
      fs.rmSync(modelFile(dir));
      fs.symlinkSync(IRIS, modelFile(dir));
    },
    args: ['inspect'],
    exit: 2,
    error: /modeldeploy\.yaml:4:8: model file "model\/iris-v2\.onnx" is a link to .*, outside the project folder/,
  },
  { name: 'fixed input dimensions of 4 billion floats', files: { [MODEL]: fixedShapeModel([1_000_000_000, 4]) }, args: ['validate'], exit: 2, error: /model\/iris-v2\.onnx[:\d]*: input "float_input" has the fixed shape \[1000000000, 4\] \(float32\): 14\.9 GiB for one run, beyond the 1\.00 GiB limit/ },
  { name: 'a ZipMap (non-tensor) output scored', files: { [MODEL]: ZIPMAP }, prepare: scoring('output_probability'), args: ['validate'], exit: 2, error: /model output "output_probability" is not a tensor/ },
  { name: 'class indices scored as probabilities', files: { [MODEL]: ZIPMAP }, prepare: scoring('label'), args: ['validate'], exit: 2, error: /holds class indices or strings, not scores/ },
  { name: 'external data outside the model folder', files: { [MODEL]: externalDataModel('../data/validation.csv') }, args: ['validate'], exit: 2, error: /model\/iris-v2\.onnx[:\d]*: the external data of initializer "w" is at "\.\.\/data\/validation\.csv", outside the model's folder/ },
  { name: 'external data at an absolute path', files: { [MODEL]: externalDataModel('/etc/hostname') }, args: ['inspect'], exit: 2, error: /model\/iris-v2\.onnx[:\d]*: the external data of initializer "w" is at "\/etc\/hostname", outside the model's folder/ },
  { name: 'a missing external data file', files: { [MODEL]: externalDataModel('weights.bin') }, args: ['inspect'], exit: 2, error: /model\/iris-v2\.onnx[:\d]*: .*external data file "weights\.bin" of initializer "w" does not exist/ },
  { name: 'an operator onnxruntime does not know', prepare: (dir) => writeUnloadableModel(modelFile(dir)), args: ['validate'], exit: 2, error: /model\/iris-v2\.onnx: onnxruntime cannot load the model: .*No Op registered for NoSuchOperator/ },
  { name: 'a model with no input', files: { [MODEL]: noInputModel() }, args: ['validate'], exit: 2, error: /modeldeploy\.yaml:12:12: the model has no input "float_input"\. its inputs are none/ },
  { name: 'inspect --model of a file that does not exist', args: ['inspect', '--model', 'model/nope.onnx'], exit: 2, error: /model\/nope\.onnx: model file does not exist/ },
  { name: 'init with a model that is not ONNX', start: 'empty', files: { 'model.onnx': 'not a model' }, args: ['init'], exit: 2, error: /model\.onnx: not an ONNX model/ },
  { name: 'build a truncated model', files: { [MODEL]: fs.readFileSync(IRIS).subarray(0, 200) }, args: ['build'], exit: 2, error: /model\/iris-v2\.onnx: not an ONNX model \(200 bytes/, engine: true },
  { name: 'build a model onnxruntime cannot load', prepare: (dir) => writeUnloadableModel(modelFile(dir)), args: ['build'], exit: 2, error: /model\/iris-v2\.onnx: onnxruntime cannot load the model: .*No Op registered for NoSuchOperator/, engine: true },
];
