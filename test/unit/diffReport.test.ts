import * as assert from 'node:assert/strict';
import type { MetricsDiff } from '../../src/core/deploy/diffTypes';
import { diffRows, summarizeGates } from '../../src/core/deploy/gates';
import { formatDiffMarkdown } from '../../src/core/report/diffReport';

const GATES = { accuracy: { min: 0.9, max_drop: 0.01, significance: 0.05 }, log_loss: { max_rise: 0.05 }, latency_p95_ms: { max: 25 } };

/** A production diff where accuracy fell significantly, F1 rose and log loss fell. */
function productionDiff(overrides: Partial<MetricsDiff> = {}, blocking = true): MetricsDiff {
  const rows = diffRows({
    metrics: ['accuracy', 'f1_macro', 'log_loss'],
    gates: GATES,
    deployed: { accuracy: 0.9333, f1_macro: 0.9, log_loss: 0.3 },
    candidate: { accuracy: 0.7778, f1_macro: 0.91, log_loss: 0.25, latency_p95_ms: 12.5 },
    intervals: { accuracy: [-0.2444, -0.0667], f1_macro: [-0.01, 0.03], log_loss: [-0.08, -0.02] },
    significance: (metric, alpha) => (metric === 'accuracy' ? { significant: true, evidence: `McNemar p = 0.0039 < ${alpha}` } : { significant: false, evidence: 'interval holds 0' }),
  });
  return {
    environment: 'production',
    candidate: { version: '2.0.0', image: 'iris-classifier:2.0.0' },
    deployed: { version: '1.2.0', digest: 'sha256:abc', image: 'iris-classifier:1.2.0' },
    rescored: false,
    notes: ['Both models were scored on data/validation.csv (45 rows).'],
    rows,
    predictions: { rows: 10_000, changed: 37, onlyCandidateRight: 12, onlyDeployedRight: 25, bothRight: 9_900, bothWrong: 63, mcnemarP: 0.04705 },
    bootstrap: { resamples: 1000, seed: 1 },
    gates: summarizeGates(rows, blocking),
    ...overrides,
  };
}

/** The cells of the table row for `metric`. */
function cells(markdown: string, metric: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${metric} |`));
  assert.ok(line, `no row for ${metric}`);
  return line
    .slice(2, -2)
    .split(' | ')
    .map((cell) => cell.trim());
}

describe('metrics diff as Markdown', () => {
  it('names the environment and both versions, then the table header', () => {
    const lines = formatDiffMarkdown(productionDiff()).split('\n');
    assert.equal(lines[0], '## Metrics diff for production: deployed 1.2.0, candidate 2.0.0');
    assert.equal(lines[2], '| metric | deployed | candidate | change | 95% interval | gate |');
  });

  it('shows values, signed changes that say better or worse, intervals and gate verdicts', () => {
    const markdown = formatDiffMarkdown(productionDiff());
    assert.deepEqual(cells(markdown, 'accuracy'), [
      'accuracy',
      '0.9333',
      '0.7778',
      '-0.1555 ↓ worse',
      '[-0.2444, -0.0667]',
      'FAIL: accuracy 0.7778 is below the minimum 0.9000; accuracy dropped by 0.1555 (0.9333 -> 0.7778), more than the allowed 0.0100; significant (McNemar p = 0.0039 < 0.05)',
    ]);
    assert.deepEqual(cells(markdown, 'f1_macro'), ['f1_macro', '0.9000', '0.9100', '+0.0100 ↑ better', '[-0.0100, +0.0300]', '']);
    // Lower log loss is better: a fall is good news.
    assert.deepEqual(cells(markdown, 'log_loss'), ['log_loss', '0.3000', '0.2500', '-0.0500 ↓ better', '[-0.0800, -0.0200]', 'pass']);
    assert.deepEqual(cells(markdown, 'latency_p95_ms'), ['latency_p95_ms', '-', '12.5000', '', '', 'pass']);
  });

  it('describes the changed predictions, the notes and the bootstrap', () => {
    const markdown = formatDiffMarkdown(productionDiff());
    assert.ok(
      markdown.includes('Predictions: 37 of 10,000 rows changed class (0.37%). Only the candidate is right on 12, only the deployed model on 25 (both right on 9,900, both wrong on 63); exact McNemar p = 0.0471.'),
      markdown,
    );
    assert.ok(markdown.includes('\n- Both models were scored on data/validation.csv (45 rows).\n'));
    assert.ok(markdown.includes('\n- Intervals: seeded paired bootstrap, 1000 resamples, seed 1.\n'));
  });

  it('ends with the gates verdict: blocking production, warning staging, or passing', () => {
    const last = (diff: MetricsDiff) => formatDiffMarkdown(diff).split('\n').at(-1);
    assert.equal(last(productionDiff()), 'gates FAIL: blocks production');
    assert.equal(last(productionDiff({ environment: 'staging' }, false)), 'gates fail: staging goes on with a warning');
    const passing = diffRows({ metrics: ['accuracy'], gates: { accuracy: { min: 0.9 } }, deployed: { accuracy: 0.93 }, candidate: { accuracy: 0.95 } });
    assert.equal(last(productionDiff({ rows: passing, gates: summarizeGates(passing, true) })), 'gates pass');
  });

  it('shows a not-significant breach as passing, with its reason', () => {
    const rows = diffRows({ metrics: ['accuracy'], gates: { accuracy: { max_drop: 0.01, significance: 0.05 } }, deployed: { accuracy: 0.95 }, candidate: { accuracy: 0.93 }, significance: () => ({ significant: false, evidence: 'McNemar p = 0.2100 >= 0.05' }) });
    const markdown = formatDiffMarkdown(productionDiff({ rows, gates: summarizeGates(rows, true), predictions: undefined }));
    assert.equal(cells(markdown, 'accuracy')[5], 'pass: accuracy dropped by 0.0200 (0.9500 -> 0.9300), more than the allowed 0.0100, but not significant (McNemar p = 0.2100 >= 0.05)');
    assert.ok(!markdown.includes('Predictions:'));
    assert.equal(markdown.split('\n').at(-1), 'gates pass');
  });

  it('says when nothing is deployed yet and which rules were skipped', () => {
    const rows = diffRows({ metrics: ['accuracy'], gates: { accuracy: { max_drop: 0.01 } }, candidate: { accuracy: 0.95 } });
    const markdown = formatDiffMarkdown({ environment: 'staging', candidate: { version: '1.0.0', image: 'iris:1.0.0' }, rescored: false, notes: [], rows, gates: summarizeGates(rows, false) });
    assert.equal(markdown.split('\n')[0], '## Metrics diff for staging: nothing deployed yet, candidate 1.0.0');
    assert.deepEqual(cells(markdown, 'accuracy'), ['accuracy', '-', '0.9500', '', '', 'skipped: nothing deployed to compare with']);
    assert.equal(markdown.split('\n').at(-1), 'gates pass');
  });
});
