import * as assert from 'node:assert/strict';
import { parsePrometheusText } from '../../src/core/watch/parsePrometheusText';
import { prometheusFloat } from '../../src/core/watch/prometheusFloat';
import { ServerMetrics } from '../../src/runtime/serverMetrics';

describe('watch: the Prometheus text parser', () => {
  it('reads samples with and without labels, skips comments and blank lines, drops timestamps', () => {
    const text = [
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '',
      '# a comment that is neither HELP nor TYPE',
      'metric_without_timestamp_and_labels 12.47',
      '  \t',
      'empty_braces{} 1e3',
      'trailing_comma{a="1",} -2.5E-1',
      'spaced { a = "x" , b="y" }\t7 -12',
      'colons:in_name .5',
    ].join('\n');
    assert.deepEqual(parsePrometheusText(text), [
      { name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027 },
      { name: 'http_requests_total', labels: { method: 'post', code: '400' }, value: 3 },
      { name: 'metric_without_timestamp_and_labels', labels: {}, value: 12.47 },
      { name: 'empty_braces', labels: {}, value: 1000 },
      { name: 'trailing_comma', labels: { a: '1' }, value: -0.25 },
      { name: 'spaced', labels: { a: 'x', b: 'y' }, value: 7 },
      { name: 'colons:in_name', labels: {}, value: 0.5 },
    ]);
  });

  it('unescapes \\\\, \\" and \\n in label values, and keeps a comma, brace or # inside one', () => {
    const [sample] = parsePrometheusText('msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\"",odd="a,b}c # d"} 1.458255915e9\n');
    assert.deepEqual(sample.labels, { path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"', odd: 'a,b}c # d' });
    assert.equal(sample.value, 1.458255915e9);
  });

  it('reads +Inf, -Inf and NaN values, and CRLF line ends', () => {
    const samples = parsePrometheusText('a +Inf\r\nb -Inf\r\nc NaN\r\nd{problem="division by zero"} +inf -3982045\r\n');
    assert.deepEqual(
      samples.map((s) => s.value),
      [Infinity, -Infinity, NaN, Infinity],
    );
    assert.deepEqual(samples[3].labels, { problem: 'division by zero' });
  });

  it("gives a histogram's _bucket (with le, +Inf included), _sum and _count lines as samples", () => {
    const text = [
      '# TYPE d histogram',
      'd_bucket{le="0.1",route="infer"} 3',
      'd_bucket{le="+Inf",route="infer"} 5',
      'd_sum{route="infer"} 0.42',
      'd_count{route="infer"} 5',
      'd_bucket{le="0.1",route="live"} 7',
      'd_bucket{le="+Inf",route="live"} 7',
    ].join('\n');
    assert.deepEqual(parsePrometheusText(text), [
      { name: 'd_bucket', labels: { le: '0.1', route: 'infer' }, value: 3 },
      { name: 'd_bucket', labels: { le: '+Inf', route: 'infer' }, value: 5 },
      { name: 'd_sum', labels: { route: 'infer' }, value: 0.42 },
      { name: 'd_count', labels: { route: 'infer' }, value: 5 },
      { name: 'd_bucket', labels: { le: '0.1', route: 'live' }, value: 7 },
      { name: 'd_bucket', labels: { le: '+Inf', route: 'live' }, value: 7 },
    ]);
  });

  it('keeps a label named __proto__ as a label', () => {
    const [sample] = parsePrometheusText('a{__proto__="x"} 1');
    assert.deepEqual(Object.entries(sample.labels), [['__proto__', 'x']]);
  });

  it("reads the serving runtime's own /metrics exposition", async () => {
    const metrics = new ServerMetrics();
    metrics.started();
    metrics.answered('infer', 200, 0.003);
    metrics.started();
    metrics.answered('infer', 400, 0.0004);
    metrics.started();
    const samples = parsePrometheusText(await metrics.registry.metrics());
    const value = (name: string, labels: Record<string, string> = {}) => samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    assert.equal(value('modeldeploy_requests_total', { route: 'infer', status: '200' }), 1);
    assert.equal(value('modeldeploy_requests_total', { route: 'infer', status: '400' }), 1);
    assert.equal(value('modeldeploy_request_duration_seconds_bucket', { route: 'infer', le: '0.0005' }), 1);
    assert.equal(value('modeldeploy_request_duration_seconds_bucket', { route: 'infer', le: '0.005' }), 2);
    assert.equal(value('modeldeploy_request_duration_seconds_bucket', { route: 'infer', le: '+Inf' }), 2);
    assert.equal(value('modeldeploy_request_duration_seconds_count', { route: 'infer' }), 2);
    assert.equal(value('modeldeploy_requests_in_flight'), 1);
  });

  const invalid: [string, string, RegExp][] = [
    ['an HTML page', '<html><body>Not found</body></html>', /^line 1: expected a metric name: <html>/],
    ['a sample without a value', 'ok 1\nno_value\n', /^line 2: no value: no_value$/],
    ['labels without a value', 'a{b="c"}', /^line 1: no value/],
    ['a value that is not a number', 'a 0x10', /^line 1: "0x10" is not a number/],
    ['a word for a value', 'a{b="c"} one', /"one" is not a number/],
    ['a timestamp that is not whole milliseconds', 'a 1 1.5', /"1\.5" is not a timestamp in milliseconds/],
    ['text after the timestamp', 'a 1 2 3', /unexpected text after the timestamp/],
    ['an unknown escape', 'a{b="\\t"} 1', /invalid escape \\t in the value of the label b/],
    ['an unclosed label value', 'a{b="c} 1', /the value of the label b is not closed with "/],
    ['unclosed labels', 'a{b="c"', /expected , or } after the label b/],
    ['labels cut after a comma', 'a{b="c",', /the labels are not closed with }/],
    ['a label without =', 'a{b "c"} 1', /expected = after the label b/],
    ['a label value without quotes', 'a{b=c} 1', /expected " to open the value of the label b/],
    ['a label name that is not one', 'a{1b="c"} 1', /expected a label name/],
    ['a label given twice', 'a{b="1",b="2"} 1', /the label b appears twice/],
  ];
  for (const [what, text, message] of invalid) {
    it(`refuses ${what}, naming the line`, () => {
      assert.throws(
        () => parsePrometheusText(text),
        (error: Error) => {
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  it('cuts a long offending line in its message', () => {
    assert.throws(() => parsePrometheusText(`<${'x'.repeat(200)}`), (error: Error) => error.message.endsWith('...') && error.message.length < 140);
  });
});

describe('watch: Prometheus float values', () => {
  it("reads what Go's ParseFloat reads and nothing that Number() reads beyond it", () => {
    assert.equal(prometheusFloat('1'), 1);
    assert.equal(prometheusFloat('-1.5e-3'), -0.0015);
    assert.equal(prometheusFloat('+.5'), 0.5);
    assert.equal(prometheusFloat('7.'), 7);
    assert.equal(prometheusFloat('+Inf'), Infinity);
    assert.equal(prometheusFloat('Infinity'), Infinity);
    assert.equal(prometheusFloat('-inf'), -Infinity);
    assert.ok(Number.isNaN(prometheusFloat('NaN')));
    for (const text of ['', ' 1', '1 ', '0x10', '1_000', 'e5', '.', 'Inf+', 'nope']) assert.equal(prometheusFloat(text), undefined, text);
  });
});
