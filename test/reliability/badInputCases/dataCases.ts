import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CliCase } from './cliCase';

const HEADER = 'sepal_length,sepal_width,petal_length,petal_width,species\n';
const GOOD_ROW = '5.1,3.5,1.4,0.2,setosa\n';
const ROW = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2, species: 'setosa' };

/** Points the iris config's validation.data at another file (and optionally changes more of it). */
const useData = (file: string, replace: [string, string][] = []) => (dir: string) => {
  const config = path.join(dir, 'modeldeploy.yaml');
  let text = fs.readFileSync(config, 'utf8').replace('data/validation.csv', file);
  for (const [from, to] of replace) text = text.replace(from, to);
  fs.writeFileSync(config, text);
};

/** A validation CSV of the iris example with these lines after the header. */
const csv = (name: string, rows: string, error: RegExp): CliCase => ({ name, files: { 'data/validation.csv': HEADER + rows }, args: ['validate'], exit: 2, error });
const jsonl = (name: string, lines: string, error: RegExp): CliCase => ({ name, files: { 'data/v.jsonl': lines }, prepare: useData('data/v.jsonl'), args: ['validate'], exit: 2, error });

/** Validation data that cannot be scored: refused with the file, the line and the column or value, exit 2. */
export const dataCases: CliCase[] = [
  { name: 'CSV without the target column', files: { 'data/validation.csv': 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n' }, args: ['validate'], exit: 2, error: /data\/validation\.csv:1: the target column "species" is not in the data/ },
  { name: 'a misspelt target, with a did-you-mean', prepare: useData('data/validation.csv', [['target: species', 'target: specie']]), args: ['validate'], exit: 2, error: /data\/validation\.csv:1: the target column "specie" is not in the data\. did you mean "species"\?/ },
  csv('a non-numeric feature', '5.1,abc,1.4,0.2,setosa\n', /data\/validation\.csv:2: non-numeric value "abc" in feature column "sepal_width"/),
  csv('Infinity as a feature', `${GOOD_ROW}5.1,Infinity,1.4,0.2,setosa\n`, /data\/validation\.csv:3: value "Infinity" in feature column "sepal_width" is not a finite number/),
  csv('NaN as a feature', 'NaN,3.5,1.4,0.2,setosa\n', /data\/validation\.csv:2: value "NaN" in feature column "sepal_length" is not a finite number/),
  csv('a hexadecimal feature', '5.1,0x10,1.4,0.2,setosa\n', /data\/validation\.csv:2: value "0x10" in feature column "sepal_width" is not a decimal number/),
  csv('1e400 as a feature', '5.1,1e400,1.4,0.2,setosa\n', /data\/validation\.csv:2: value "1e400" in feature column "sepal_width" is too large for a 64-bit float/),
  csv('an empty feature', '5.1,,1.4,0.2,setosa\n', /data\/validation\.csv:2: empty value in feature column "sepal_width"/),
  csv('a row with a field missing', `${GOOD_ROW}5.1,3.5,1.4,setosa\n`, /data\/validation\.csv:3: row has 4 fields but the header has 5/),
  csv('a row with a field too many', '5.1,3.5,1.4,0.2,setosa,extra\n', /data\/validation\.csv:2: row has 6 fields but the header has 5/),
  csv('an unclosed quote', '5.1,3.5,1.4,0.2,"setosa\n', /data\/validation\.csv:2: CSV: a quoted field is never closed/),
  csv('a class that is not a label', '5.1,3.5,1.4,0.2,daisy\n', /data\/validation\.csv:2: target value "daisy" is not a class: expected one of the labels \(setosa, versicolor, virginica\)/),
  csv('a header and no rows', '', /data\/validation\.csv: the validation set has no rows/),
  { name: 'an empty data file', files: { 'data/validation.csv': '' }, args: ['validate'], exit: 2, error: /data\/validation\.csv: the data file is empty/ },
  { name: 'a column named twice', files: { 'data/validation.csv': `sepal_length,sepal_length,petal_length,petal_width,species\n${GOOD_ROW}` }, args: ['validate'], exit: 2, error: /data\/validation\.csv:1: the header names column "sepal_length" twice/ },
  { name: 'a binary header', files: { 'data/validation.csv': Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x31, 0x0a]) }, args: ['validate'], exit: 2, error: /data\/validation\.csv:1: the header is not text/ },
  { name: 'gzip data named .csv', files: { 'data/validation.csv': gzipSync(HEADER + GOOD_ROW) }, args: ['validate'], exit: 2, error: /data\/validation\.csv:1: .*gzip.*\.csv\.gz/ },
  { name: 'a .csv.gz that is not gzip', files: { 'data/v.csv.gz': HEADER + GOOD_ROW }, prepare: useData('data/v.csv.gz'), args: ['validate'], exit: 2, error: /data\/v\.csv\.gz: the file is not valid gzip data/ },
  { name: 'a truncated .csv.gz', files: { 'data/v.csv.gz': gzipSync(HEADER + GOOD_ROW.repeat(50)).subarray(0, 40) }, prepare: useData('data/v.csv.gz'), args: ['validate'], exit: 2, error: /data\/v\.csv\.gz: .*gzip/ },
  {
    name: 'fewer features than the model input takes',
    prepare: useData('data/validation.csv', [['features: [sepal_length, sepal_width, petal_length, petal_width]', 'features: [sepal_length, sepal_width, petal_length]']]),
    args: ['validate'],
    exit: 2,
    error: /modeldeploy\.yaml:\d+:\d+: model input "float_input" takes 4 values per row \(shape \[-1, 4\]\) but the data gives 3 feature columns/,
  },
  jsonl('a JSONL line that is not JSON', `${JSON.stringify(ROW)}\n{"sepal_length": 5.1,\n`, /data\/v\.jsonl:2: invalid JSON/),
  jsonl('a JSONL line that is not an object', '[5.1, 3.5, 1.4, 0.2, "setosa"]\n', /data\/v\.jsonl:1: a line is not a JSON object/),
  jsonl('a JSONL row without a feature', `${JSON.stringify({ ...ROW, petal_width: undefined })}\n`, /data\/v\.jsonl:1: the feature column "petal_width" is not in the data/),
  jsonl('a JSONL number beyond any float', `${JSON.stringify(ROW).replace('5.1', '1e400')}\n`, /data\/v\.jsonl:1: value "Infinity" in feature column "sepal_length" is not a finite number/),
  jsonl('a JSONL string as a feature', `${JSON.stringify({ ...ROW, sepal_length: 'x' })}\n`, /data\/v\.jsonl:1: non-numeric value "x" in feature column "sepal_length"/),
];
