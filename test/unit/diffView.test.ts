import * as assert from 'node:assert/strict';
import type { MetricDiffRow, MetricsDiff } from '../../src/core/deploy/diffTypes';
import { isToHostMessage, isToWebviewMessage } from '../../src/webview/diffProtocol';
import { escapeHtml, formatChange, nextView, renderDiff, shortDigest, type RenderState } from '../../src/webview/diffRender';

const DEPLOYED_DIGEST = 'sha256:3f2a9c1b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8';
const CANDIDATE_DIGEST = 'sha256:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d';

/** iris 1.0.0 runs in staging; 2.0.0 is better on accuracy but its log loss rose past the gate. */
function realisticDiff(overrides: Partial<MetricsDiff> = {}): MetricsDiff {
  return {
    environment: 'staging',
    candidate: { version: '2.0.0', digest: CANDIDATE_DIGEST, image: 'iris:2.0.0' },
    deployed: { version: '1.0.0', digest: DEPLOYED_DIGEST, image: 'iris:1.0.0' },
    rescored: true,
    notes: ["The deployed model was re-scored on the candidate's data (data/validation.csv)."],
    rows: [
      {
        name: 'accuracy',
        higherIsBetter: true,
        deployed: 0.7778,
        candidate: 0.9333,
        change: 0.1555,
        interval: [0.0667, 0.2444],
        significant: true,
        verdict: 'pass',
        checks: [
          { metric: 'accuracy', rule: 'min', limit: 0.9, value: 0.9333, verdict: 'pass', reason: 'accuracy 0.9333 is at least the minimum 0.90' },
          { metric: 'accuracy', rule: 'max_drop', limit: 0.01, value: 0.1555, verdict: 'pass', reason: 'accuracy rose by 0.1555' },
        ],
      },
      {
        name: 'log_loss',
        higherIsBetter: false,
        deployed: 0.52,
        candidate: 0.61,
        change: 0.09,
        interval: [-0.01, 0.19],
        significant: false,
        verdict: 'fail',
        checks: [{ metric: 'log_loss', rule: 'max_rise', limit: 0.05, value: 0.09, verdict: 'fail', reason: 'log_loss rose by 0.0900, more than the allowed 0.05' }],
      },
      { name: 'f1_macro', higherIsBetter: true, deployed: 0.7701, candidate: 0.9327, change: 0.1626, interval: [0.05, 0.27], verdict: 'none', checks: [] },
    ],
    predictions: { rows: 45, changed: 9, onlyCandidateRight: 8, onlyDeployedRight: 1, bothRight: 34, bothWrong: 2, mcnemarP: 0.0391 },
    bootstrap: { resamples: 1000, seed: 42 },
    gates: { passed: false, blocking: false, failures: ['log_loss rose by 0.0900, more than the allowed 0.05'] },
    ...overrides,
  };
}

function stateFor(diff: MetricsDiff, extra: Partial<RenderState> = {}): RenderState {
  return { busy: false, approvalRequired: false, environment: diff.environment, ...extra };
}

/** The text of a fragment: tags dropped, entities of the escaper decoded, spaces collapsed. */
function text(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The cells of the metric table's row for one metric: [opening tag, inner HTML] each. */
function rowCells(html: string, metric: string): { tag: string; html: string; text: string }[] {
  const row = [...html.matchAll(/<tr class="metric[^"]*">(.*?)<\/tr>/gs)].find((m) => text(m[1]).startsWith(`${metric} `));
  assert.ok(row, `a table row for ${metric}`);
  return [...row[1].matchAll(/(<t[hd][^>]*>)(.*?)<\/t[hd]>/gs)].map((c) => ({ tag: c[1], html: c[2], text: text(c[2]) }));
}

function deployButton(html: string): { tag: string; label: string } {
  const match = /(<button[^>]*id="deploy"[^>]*>)(.*?)<\/button>/.exec(html);
  assert.ok(match, 'a Deploy button');
  return { tag: match[1], label: text(match[2]) };
}

describe('the metrics-diff view', () => {
  describe('rendering', () => {
    it('escapes every value taken from the diff', () => {
      const evil = '<script>alert("x")</script>';
      const row: MetricDiffRow = {
        name: `acc${evil}`,
        higherIsBetter: true,
        deployed: 0.5,
        candidate: 0.6,
        change: 0.1,
        verdict: 'fail',
        checks: [{ metric: 'acc', rule: 'min', limit: 0.9, verdict: 'fail', reason: `too low ${evil}` }],
      };
      const diff = realisticDiff({
        environment: `prod${evil}`,
        candidate: { version: `2.0.0${evil}`, image: 'x' },
        deployed: { version: `1.0.0${evil}`, digest: `sha256:"><img src=x onerror=alert(1)>`, image: 'y' },
        notes: [`note ${evil}`],
        rows: [row],
        gates: { passed: false, blocking: true, failures: [`failure ${evil}`] },
      });
      const html = renderDiff(diff, stateFor(diff, { result: { ok: false, message: `failed ${evil}` } }));
      assert.ok(!/<script/i.test(html), 'no script tag comes through');
      assert.ok(!/<img/i.test(html), 'no tag comes through an attribute either');
      for (const escaped of ['acc&lt;script&gt;', 'note &lt;script&gt;', 'too low &lt;script&gt;', 'failure &lt;script&gt;', 'failed &lt;script&gt;', '2.0.0&lt;script&gt;', '1.0.0&lt;script&gt;', 'prod&lt;script&gt;']) {
        assert.ok(html.includes(escaped), `${escaped} is in the page`);
      }
      assert.ok(html.includes('alert(&quot;x&quot;)'));
      assert.ok(!html.includes('style='), 'no inline styles (the policy would block them)');
    });

    it('escapeHtml escapes the five HTML characters and nothing else', () => {
      assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
      assert.equal(escapeHtml('accuracy 0.9333 ≥ 0.90'), 'accuracy 0.9333 ≥ 0.90');
      assert.equal(escapeHtml(undefined), '');
      assert.equal(escapeHtml(42), '42');
    });

    it('shows each metric: deployed, candidate, signed change coloured by direction, interval and gate', () => {
      const diff = realisticDiff();
      const html = renderDiff(diff, stateFor(diff));
      const accuracy = rowCells(html, 'accuracy');
      assert.deepEqual(
        accuracy.map((c) => c.text),
        ['accuracy', '0.7778', '0.9333', '+0.1555 better', '[+0.0667, +0.2444] significant', 'pass'],
      );
      assert.match(accuracy[3].tag, /class="num change better"/);
      assert.match(accuracy[5].tag, /class="gate pass"/);

      // Lower is better: a rise is worse, and the failing gate says why.
      const logLoss = rowCells(html, 'log_loss');
      assert.deepEqual(logLoss.map((c) => c.text).slice(0, 5), ['log_loss', '0.5200', '0.6100', '+0.0900 worse', '[-0.0100, +0.1900] not significant']);
      assert.match(logLoss[3].tag, /class="num change worse"/);
      assert.match(logLoss[5].tag, /class="gate fail"/);
      assert.equal(logLoss[5].text, 'FAIL log_loss rose by 0.0900, more than the allowed 0.05');

      const f1 = rowCells(html, 'f1_macro');
      assert.equal(f1[5].text, 'no gate');
      assert.equal(f1[4].text, '[+0.0500, +0.2700]');

      assert.match(html, /<th scope="col">95% interval<\/th>/);
      assert.match(text(html), /paired bootstrap, 1000 resamples, seed 42/);
    });

    it('signs changes, and calls a rounding-level change no change', () => {
      assert.equal(formatChange(0.1555), '+0.1555');
      assert.equal(formatChange(-0.01), '-0.0100');
      assert.equal(formatChange(1e-9), '0');
      assert.equal(formatChange(undefined), '—');
      const diff = realisticDiff({ rows: [{ name: 'accuracy', higherIsBetter: true, deployed: 0.9, candidate: 0.9, change: 0, verdict: 'none', checks: [] }] });
      const change = rowCells(renderDiff(diff, stateFor(diff)), 'accuracy')[3];
      assert.equal(change.text, '0');
      assert.match(change.tag, /class="num change same"/);
    });

    it('heads the page with the environment, the deployed version and short digest, the candidate, and the notes', () => {
      const diff = realisticDiff();
      const html = renderDiff(diff, stateFor(diff));
      const header = text(/<header[^>]*>(.*?)<\/header>/.exec(html)![1]);
      assert.match(header, /Metrics: 2\.0\.0 vs staging/);
      assert.match(header, /Environment staging/);
      assert.match(header, /Deployed 1\.0\.0 3f2a9c1b7d4e re-scored on the candidate's data/);
      assert.match(header, /Candidate 2\.0\.0 9e8d7c6b5a4f/);
      assert.equal(shortDigest(DEPLOYED_DIGEST), '3f2a9c1b7d4e');
      assert.ok(html.includes(`title="${DEPLOYED_DIGEST}"`), 'the full digest on hover');
      assert.match(text(/<ul class="notes">(.*?)<\/ul>/.exec(html)![1]), /re-scored on the candidate's data \(data\/validation\.csv\)/);
    });

    it('shows how the predictions changed and the McNemar p-value', () => {
      const diff = realisticDiff();
      const section = text(/<section class="predictions">(.*?)<\/section>/.exec(renderDiff(diff, stateFor(diff)))![1]);
      assert.match(section, /same 45 rows/);
      assert.match(section, /rows changed 9 of 45 \(20\.0%\)/);
      assert.match(section, /only the candidate right 8/);
      assert.match(section, /only the deployed model right 1/);
      assert.match(section, /McNemar p \(exact, two-sided\) 0\.0391/);
      const tiny = realisticDiff({ predictions: { ...diff.predictions!, mcnemarP: 1e-7 } });
      assert.match(text(renderDiff(tiny, stateFor(tiny))), /McNemar p \(exact, two-sided\) < 0\.0001/);
    });

    it('renders a first deploy: nothing deployed yet, no changes, no predictions, Deploy enabled', () => {
      const diff = realisticDiff({
        deployed: undefined,
        rescored: false,
        notes: [],
        predictions: undefined,
        bootstrap: undefined,
        rows: [
          {
            name: 'accuracy',
            higherIsBetter: true,
            candidate: 0.9333,
            verdict: 'pass',
            checks: [{ metric: 'accuracy', rule: 'max_drop', limit: 0.01, verdict: 'skip', reason: 'max_drop: nothing deployed to compare with' }],
          },
        ],
        gates: { passed: true, blocking: false, failures: [] },
      });
      const html = renderDiff(diff, stateFor(diff));
      assert.match(html, /<dd class="muted first-deploy">nothing deployed yet<\/dd>/);
      assert.deepEqual(
        rowCells(html, 'accuracy').map((c) => c.text),
        ['accuracy', '—', '0.9333', '—', '—', 'pass max_drop: nothing deployed to compare with'],
      );
      assert.ok(!html.includes('class="predictions"'));
      assert.ok(!html.includes('class="notes"'));
      assert.match(html, /<p class="gates pass">Gates pass\.<\/p>/);
      const button = deployButton(html);
      assert.equal(button.label, 'Deploy 2.0.0 to staging');
      assert.doesNotMatch(button.tag, /disabled/);
    });

    it('disables Deploy and says why when the gates block (production)', () => {
      const diff = realisticDiff({ environment: 'production', gates: { passed: false, blocking: true, failures: ['log_loss rose by 0.0900, more than the allowed 0.05'] } });
      const html = renderDiff(diff, stateFor(diff, { approvalRequired: true }));
      const button = deployButton(html);
      assert.match(button.tag, / disabled/);
      assert.equal(button.label, 'Deploy 2.0.0 to production: blocked, 1 gate failed');
      assert.match(button.tag, /title="log_loss rose by 0\.0900, more than the allowed 0\.05"/);
      assert.match(html, /<p id="deploy-blocked" class="blocked-reason">Deploy is disabled: the quality gates must pass to deploy to production\.<\/p>/);
      assert.match(html, /<p class="gates fail blocking">Gates fail: this blocks deploying to production\.<\/p>/);
      assert.match(text(/<ul class="failures">(.*?)<\/ul>/.exec(html)![1]), /log_loss rose by 0\.0900/);
      assert.doesNotMatch(/<button[^>]*id="cancel"[^>]*>/.exec(html)![0], /disabled/, 'Cancel stays available');
    });

    it('lets a failing gate only warn for staging, and keeps Deploy enabled', () => {
      const diff = realisticDiff();
      const html = renderDiff(diff, stateFor(diff));
      assert.match(html, /<p class="gates fail warning">Gates fail: a warning for staging, which may still be deployed to\.<\/p>/);
      const button = deployButton(html);
      assert.doesNotMatch(button.tag, /disabled/);
      assert.equal(button.label, 'Deploy 2.0.0 to staging');
    });

    it('disables Deploy while busy, shows the progress, then the result', () => {
      const diff = realisticDiff({ gates: { passed: true, blocking: true, failures: [] } });
      const idle = renderDiff(diff, stateFor(diff, { approvalRequired: true }));
      assert.doesNotMatch(deployButton(idle).tag, /disabled/);
      assert.match(idle, /class="approval">staging requires approval/);

      const busy = renderDiff(diff, stateFor(diff, { busy: true, busyMessage: 'Deploying 2.0.0 to staging…' }));
      assert.match(deployButton(busy).tag, / disabled/);
      assert.equal(deployButton(busy).label, 'Deploy 2.0.0 to staging');
      assert.match(busy, /<p class="status busy">Deploying 2\.0\.0 to staging…<\/p>/);

      const failed = renderDiff(diff, stateFor(diff, { result: { ok: false, message: 'registry refused the push' } }));
      assert.doesNotMatch(deployButton(failed).tag, /disabled/, 'a failed deploy may be retried');
      assert.match(failed, /<p class="status result error">registry refused the push<\/p>/);

      const done = renderDiff(diff, stateFor(diff, { result: { ok: true, message: 'staging now runs 2.0.0' } }));
      assert.match(deployButton(done).tag, / disabled/);
      assert.equal(deployButton(done).label, 'Deployed 2.0.0 to staging');
      assert.match(done, /<p class="status result ok">staging now runs 2\.0\.0<\/p>/);
    });

    it('wires each button to a host message through data-action', () => {
      const diff = realisticDiff();
      const actions = [...renderDiff(diff, stateFor(diff)).matchAll(/<button[^>]*data-action="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(actions, ['deploy', 'cancel', 'copyMarkdown']);
      for (const type of actions) assert.ok(isToHostMessage({ type }), `${type} is a message the host accepts`);
    });
  });

  describe('the view state', () => {
    it('follows the host: show, busy, result; nothing before the first show', () => {
      const diff = realisticDiff();
      assert.equal(nextView(undefined, { type: 'busy', busy: true }), undefined);
      let view = nextView(undefined, { type: 'show', diff, state: { busy: false, approvalRequired: true, environment: 'staging' } });
      assert.deepEqual(view?.state, { busy: false, approvalRequired: true, environment: 'staging' });
      view = nextView(view, { type: 'busy', busy: true, message: 'Deploying…' });
      assert.equal(view?.state.busy, true);
      assert.equal(view?.state.busyMessage, 'Deploying…');
      view = nextView(view, { type: 'result', ok: false, message: 'no' });
      assert.deepEqual(view?.state.result, { ok: false, message: 'no' });
      assert.equal(view?.state.busy, false);
      view = nextView(view, { type: 'busy', busy: true });
      assert.equal(view?.state.result, undefined, 'a new deploy clears the last result');
      assert.equal(view?.diff, diff);
    });
  });

  describe('the message protocol', () => {
    it('accepts exactly the four webview messages', () => {
      for (const type of ['ready', 'deploy', 'cancel', 'copyMarkdown']) assert.ok(isToHostMessage({ type }), type);
    });

    it('rejects malformed webview messages', () => {
      const malformed: unknown[] = [
        undefined,
        null,
        'deploy',
        42,
        [],
        ['deploy'],
        {},
        { type: 'Deploy' },
        { type: 'rollback' },
        { type: 'toString' },
        { type: '__proto__' },
        { type: 1 },
        { type: null },
        { type: ['deploy'] },
        { type: 'deploy', version: '9.9.9' },
        { kind: 'deploy' },
        Object.create({ type: 'deploy' }),
        JSON.parse('{"__proto__": {"type": "deploy"}}'),
      ];
      for (const message of malformed) assert.equal(isToHostMessage(message), false, JSON.stringify(message) ?? String(message));
    });

    it('checks host messages too', () => {
      const diff = realisticDiff();
      const state = { busy: false, approvalRequired: false, environment: 'staging' };
      assert.ok(isToWebviewMessage({ type: 'show', diff, state }));
      assert.ok(isToWebviewMessage(JSON.parse(JSON.stringify({ type: 'show', diff, state }))), 'after the JSON trip to the webview');
      assert.ok(isToWebviewMessage({ type: 'busy', busy: true, message: 'Deploying' }));
      assert.ok(isToWebviewMessage({ type: 'busy', busy: false }));
      assert.ok(isToWebviewMessage({ type: 'result', ok: true, message: 'done' }));
      assert.equal(isToWebviewMessage({ type: 'show', diff: { ...diff, rows: 'none' }, state }), false);
      assert.equal(isToWebviewMessage({ type: 'show', diff, state: { busy: 'no' } }), false);
      assert.equal(isToWebviewMessage({ type: 'busy', busy: 'yes' }), false);
      assert.equal(isToWebviewMessage({ type: 'result', ok: true }), false);
      assert.equal(isToWebviewMessage({ type: 'deploy' }), false);
      assert.equal(isToWebviewMessage(null), false);
    });
  });
});
