import type { MetricSample } from './metricSample';
import { prometheusFloat } from './prometheusFloat';

const METRIC_NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const TIMESTAMP = /^-?\d+$/;
const ESCAPED: Record<string, string> = { '\\': '\\', '"': '"', n: '\n' };

/**
 * The samples of a Prometheus text exposition (format 0.0.4), one per sample line, in order: a
 * histogram's `_bucket` (with its `le` label), `_sum` and `_count` lines are samples of those names.
 * Comments (`# HELP`, `# TYPE` and others) and blank lines are skipped; timestamps are checked and
 * dropped. Anything else that is not a sample line is an error that names its line, as Prometheus's
 * own parser does: a page that is not an exposition must not read as one.
 */
export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (/^[ \t]*(#.*)?$/.test(line)) return;
    try {
      samples.push(sampleOf(line));
    } catch (error) {
      const shown = line.length > 80 ? `${line.slice(0, 77)}...` : line;
      throw new Error(`line ${index + 1}: ${(error as Error).message}: ${shown}`);
    }
  });
  return samples;
}

function sampleOf(line: string): MetricSample {
  let at = skipBlanks(line, 0);
  const name = token(METRIC_NAME, line, at);
  if (!name) throw new Error('expected a metric name');
  at = skipBlanks(line, at + name.length);
  let labels: Record<string, string> = {};
  if (line[at] === '{') [labels, at] = labelsOf(line, at + 1);
  const fields = line.slice(at).trim().split(/[ \t]+/).filter(Boolean);
  if (!fields.length) throw new Error('no value');
  if (fields.length > 2) throw new Error('unexpected text after the timestamp');
  const value = prometheusFloat(fields[0]);
  if (value === undefined) throw new Error(`"${fields[0]}" is not a number`);
  if (fields.length === 2 && !TIMESTAMP.test(fields[1])) throw new Error(`"${fields[1]}" is not a timestamp in milliseconds`);
  return { name, labels, value };
}

/** The labels from just after `{` to the `}`, and where the line goes on after it. */
function labelsOf(line: string, start: number): [Record<string, string>, number] {
  const entries: [string, string][] = [];
  let at = start;
  for (;;) {
    at = skipBlanks(line, at);
    if (line[at] === '}') break;
    const name = token(LABEL_NAME, line, at);
    if (!name) throw new Error(at >= line.length ? 'the labels are not closed with }' : 'expected a label name');
    if (entries.some(([seen]) => seen === name)) throw new Error(`the label ${name} appears twice`);
    at = skipBlanks(line, at + name.length);
    if (line[at] !== '=') throw new Error(`expected = after the label ${name}`);
    at = skipBlanks(line, at + 1);
    if (line[at] !== '"') throw new Error(`expected " to open the value of the label ${name}`);
    let value = '';
    for (at++; line[at] !== '"'; at++) {
      if (at >= line.length) throw new Error(`the value of the label ${name} is not closed with "`);
      if (line[at] !== '\\') {
        value += line[at];
        continue;
      }
      at++;
      if (!Object.hasOwn(ESCAPED, line[at] ?? '')) throw new Error(`invalid escape \\${line[at] ?? ''} in the value of the label ${name}`);
      value += ESCAPED[line[at]];
    }
    entries.push([name, value]);
    at = skipBlanks(line, at + 1);
    if (line[at] === '}') break;
    if (line[at] !== ',') throw new Error(`expected , or } after the label ${name}`);
    at++;
  }
  // fromEntries: a label named __proto__ stays a label.
  return [Object.fromEntries(entries), at + 1];
}

function token(pattern: RegExp, line: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(line)?.[0];
}

function skipBlanks(line: string, at: number): number {
  while (line[at] === ' ' || line[at] === '\t') at++;
  return at;
}
