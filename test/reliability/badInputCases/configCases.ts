import { gzipSync } from 'node:zlib';
import { aliasBombConfig } from '../../support/aliasBomb';
import type { CliCase } from './cliCase';

/** The four keys every config needs, so that each case below is about one line. */
const HEAD = 'name: bad-config\nversion: 1.0.0\nmodel: model/iris-v2.onnx\ntask: classification\n';
const VALIDATION = 'validation:\n  data: data/validation.csv\n  target: species\n';

const config = (name: string, text: string, error: RegExp, args = ['inspect']): CliCase => ({ name, files: { 'modeldeploy.yaml': text }, args, exit: 2, error });

/** modeldeploy.yaml mistakes: each must be reported as file:line:col with what is wrong, exit 2. */
export const configCases: CliCase[] = [
  config('an unknown key, with a did-you-mean', `${HEAD}modle: x\n`, /^error: modeldeploy\.yaml:5:1: unknown key "modle"\. did you mean "model"\?/m),
  config('a name that is no image repository name', HEAD.replace('bad-config', 'Bad Config'), /modeldeploy\.yaml:1:7: "name" must be lowercase letters/),
  config('a version YAML reads as a number', HEAD.replace('1.0.0', '1.0'), /modeldeploy\.yaml:2:10: "version" must be a string, not number 1\. put the value in quotes/),
  config('a version that is not semver', HEAD.replace('1.0.0', '1.x'), /modeldeploy\.yaml:2:10: "version" must be a semantic version .*not "1\.x"/),
  config('a task outside the enum', HEAD.replace('task: classification', 'task: classify'), /modeldeploy\.yaml:4:7: "task" must be one of classification, regression, raw, not "classify"/),
  config('a model path that climbs out of the project', HEAD.replace('model/iris-v2.onnx', '../../etc/passwd.onnx'), /modeldeploy\.yaml:3:8: model file "\.\.\/\.\.\/etc\/passwd\.onnx" points outside the project folder/),
  config('an absolute model path', HEAD.replace('model/iris-v2.onnx', '/etc/hostname'), /modeldeploy\.yaml:3:8: model file "\/etc\/hostname" must be a path relative to the project folder/),
  config('a model that is not .onnx', HEAD.replace('model/iris-v2.onnx', 'data/validation.csv'), /modeldeploy\.yaml:3:8: model file "data\/validation\.csv" must end with \.onnx/),
  config('a YAML syntax error', `${HEAD}labels: [setosa, versicolor\n`, /modeldeploy\.yaml:6:1: YAML: Flow sequence .* end with a \]/),
  config('a duplicate key', `${HEAD}name: again\n`, /modeldeploy\.yaml:5:1: YAML: Map keys must be unique/),
  config('a tab as indentation', `${HEAD}validation:\n\tdata: data/validation.csv\n`, /modeldeploy\.yaml:6:1: YAML: Tabs are not allowed as indentation/),
  config('an empty file', '', /modeldeploy\.yaml:1:1: missing required key "name"/),
  config('a list where the config should be a mapping', '- name\n- version\n', /modeldeploy\.yaml:1:1: the config must be a mapping/),
  { name: 'a gzip file in place of the YAML', files: { 'modeldeploy.yaml': gzipSync(HEAD) }, args: ['inspect'], exit: 2, error: /modeldeploy\.yaml:1:1: the config must be a mapping/ },
  config('a YAML alias bomb', aliasBombConfig('model/iris-v2.onnx'), /modeldeploy\.yaml:6:\d+: YAML: its aliases \(\*a and others\) expand to too many values/),
  config('labels that are not a list', `${HEAD}labels: setosa\n`, /modeldeploy\.yaml:5:9: "labels" must be an array, not "setosa"/),
  config('validation data outside the project', `${HEAD}validation:\n  data: ../../etc/hosts.csv\n  target: species\n`, /modeldeploy\.yaml:6:9: validation data file "\.\.\/\.\.\/etc\/hosts\.csv" points outside the project folder/),
  config('validation data of an unknown format', `${HEAD}validation:\n  data: data/validation.parquet\n  target: species\n`, /modeldeploy\.yaml:6:9: validation data file "data\/validation\.parquet" must end with \.csv or \.csv\.gz or \.jsonl/),
  config('validation data that does not exist', `${HEAD}validation:\n  data: data/nope.csv\n  target: species\n`, /modeldeploy\.yaml:6:9: validation data file "data\/nope\.csv" does not exist/, ['validate']),
  config('an input scale of 1e400', `${HEAD}${VALIDATION}  input: { scale: 1e400 }\n`, /modeldeploy\.yaml:8:\d+: "validation\.input\.scale" must be a finite number, not Infinity/),
  config('a feature listed twice', `${HEAD}${VALIDATION}  features: [sepal_length, sepal_length]\n`, /modeldeploy\.yaml:8:\d+: "validation\.features" lists "sepal_length" twice/),
  config('a metric of the other task', `${HEAD}${VALIDATION}  metrics: [rmse]\n`, /modeldeploy\.yaml:8:13: metric "rmse" is for regression, not classification/),
  config('an input name the model does not have', `${HEAD}${VALIDATION}  input: { name: pixels }\n`, /modeldeploy\.yaml:8:\d+: the model has no input "pixels"\. its inputs are "float_input"/, ['validate']),
  config('an output name the model does not have', `${HEAD}${VALIDATION}  output: scores\n`, /modeldeploy\.yaml:8:\d+: the model has no output "scores"\. its outputs are "probabilities", "label"/, ['validate']),
  config('a misspelt gate, with a did-you-mean', `${HEAD}gates:\n  accuracyy: { min: 0.9 }\n`, /modeldeploy\.yaml:6:3: unknown gates key "accuracyy"\. did you mean "accuracy"\?/),
  config('a gate bound that is not a number', `${HEAD}gates:\n  accuracy: { min: high }\n`, /modeldeploy\.yaml:6:\d+: "gates\.accuracy\.min" must be a number, not "high"/),
  config('an unsupported platform', `${HEAD}image:\n  platform: linux/s390x\n`, /modeldeploy\.yaml:6:13: "image\.platform" must be one of linux\/amd64, linux\/arm64, not "linux\/s390x"/),
  config('an environment name with odd characters', `${HEAD}environments:\n  'Stag ing!': {}\n`, /modeldeploy\.yaml:6:3: unknown environments key "Stag ing!": environment names are lowercase letters, digits and '-'/),
  config('a sample request that does not exist', `${HEAD}sample: nope.json\n`, /modeldeploy\.yaml:5:9: sample request "nope\.json" does not exist/, ['predict', '--url', 'http://127.0.0.1:9']),
  {
    name: 'modeldeploy.yaml is a folder',
    start: 'empty',
    files: { 'modeldeploy.yaml/inside.txt': '' },
    args: ['inspect'],
    exit: 2,
    error: /modeldeploy\.yaml in .* is a folder, not a file/,
  },
  { name: 'a folder with no modeldeploy.yaml', start: 'empty', files: { 'notes.txt': '' }, args: ['validate'], exit: 2, error: /^error: .*: no modeldeploy\.yaml in \S+\. run "modeldeploy init"/m },
];
