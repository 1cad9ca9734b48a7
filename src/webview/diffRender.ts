/**
 * The metrics diff as HTML for the webview: pure functions of the diff and the view state, no DOM, so the
 * same code is tested in plain mocha and bundled for the browser. Every value from the diff is escaped;
 * nothing is styled inline (the content-security policy allows only the stylesheet).
 */
import type { GateCheck, MetricDiffRow, MetricsDiff, PredictionChanges } from '../core/deploy/diffTypes';
import { formatMetricValue } from '../core/report/validationReport';
import type { DiffViewState, ToWebviewMessage } from './diffProtocol';

/** The view state plus what the view learnt since: the busy message and the last deploy's result. */
export interface RenderState extends DiffViewState {
  busyMessage?: string;
  result?: { ok: boolean; message: string };
}

/** What the webview shows: nothing until the host's first `show`. */
export interface DiffView {
  diff: MetricsDiff;
  state: RenderState;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** The gates failed and this environment does not deploy past a failure (production). */
export function gatesBlock(diff: MetricsDiff): boolean {
  return !diff.gates.passed && diff.gates.blocking;
}

/** The view after a host message. Pure, so the webview script only renders what this returns. */
export function nextView(view: DiffView | undefined, message: ToWebviewMessage): DiffView | undefined {
  switch (message.type) {
    case 'show':
      return { diff: message.diff, state: { ...message.state } };
    case 'busy':
      if (!view) return view;
      // Starting again clears the last result; finishing keeps it.
      return { ...view, state: { ...view.state, busy: message.busy, busyMessage: message.busy ? message.message : undefined, result: message.busy ? undefined : view.state.result } };
    case 'result':
      if (!view) return view;
      return { ...view, state: { ...view.state, busy: false, busyMessage: undefined, result: { ok: message.ok, message: message.message } } };
  }
}

const DASH = '—';

/** A metric value; missing or not finite (JSON turns NaN into null) shows as a dash. */
export function formatValue(value: number | undefined | null): string {
  return typeof value === 'number' && Number.isFinite(value) ? formatMetricValue(value) : DASH;
}

/** A change with its sign: +0.1556, -0.0100, 0. */
export function formatChange(value: number | undefined | null): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return DASH;
  const text = formatMetricValue(value);
  if (Number(text) === 0) return '0';
  return value > 0 ? `+${text}` : text;
}

/** better / worse / same, read from the shown figure so that a rounding-level change counts as none. */
export function changeDirection(row: Pick<MetricDiffRow, 'change' | 'higherIsBetter'>): 'better' | 'worse' | 'same' | undefined {
  const shown = formatChange(row.change);
  if (shown === DASH) return undefined;
  if (shown === '0') return 'same';
  return (row.change! > 0) === row.higherIsBetter ? 'better' : 'worse';
}

/** The short form of an image digest: the first 12 hex digits. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** A p-value: 4 decimals, and "< 0.0001" rather than a misleading 0. */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return DASH;
  return p > 0 && p < 0.0001 ? '< 0.0001' : formatMetricValue(p);
}

function renderVersion(label: string, version: string, digest?: string, extra = ''): string {
  const code = digest ? ` <code class="digest" title="${escapeHtml(digest)}">${escapeHtml(shortDigest(digest))}</code>` : '';
  return `<dt>${label}</dt><dd><span class="version">${escapeHtml(version)}</span>${code}${extra}</dd>`;
}

function renderHeader(diff: MetricsDiff, state: RenderState): string {
  const deployed = diff.deployed
    ? renderVersion('Deployed', diff.deployed.version, diff.deployed.digest, diff.rescored ? ' <span class="badge">re-scored on the candidate\'s data</span>' : '')
    : '<dt>Deployed</dt><dd class="muted first-deploy">nothing deployed yet</dd>';
  return [
    '<header class="header">',
    `<h1>Metrics: <span class="version">${escapeHtml(diff.candidate.version)}</span> vs <span class="environment">${escapeHtml(state.environment)}</span></h1>`,
    '<dl class="summary">',
    `<dt>Environment</dt><dd class="environment">${escapeHtml(state.environment)}</dd>`,
    deployed,
    renderVersion('Candidate', diff.candidate.version, diff.candidate.digest),
    '</dl>',
    '</header>',
  ].join('');
}

function renderNotes(notes: string[]): string {
  if (!notes.length) return '';
  return `<ul class="notes">${notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>`;
}

function renderInterval(row: MetricDiffRow): string {
  const interval = row.interval;
  if (!Array.isArray(interval) || interval.length !== 2) return DASH;
  const range = `[${escapeHtml(formatChange(interval[0]))}, ${escapeHtml(formatChange(interval[1]))}]`;
  if (row.significant === undefined) return range;
  return `${range} <span class="${row.significant ? 'significant' : 'not-significant'}">${row.significant ? 'significant' : 'not significant'}</span>`;
}

function renderReasons(checks: GateCheck[]): string {
  if (!checks.length) return '';
  return `<ul class="reasons">${checks.map((c) => `<li class="check-${escapeHtml(c.verdict)}">${escapeHtml(c.reason)}</li>`).join('')}</ul>`;
}

function renderGate(row: MetricDiffRow): string {
  if (row.verdict === 'fail') {
    return `<td class="gate fail"><span class="verdict-label">FAIL</span>${renderReasons(row.checks.filter((c) => c.verdict !== 'pass'))}</td>`;
  }
  if (row.verdict === 'pass') {
    const skipped = row.checks.filter((c) => c.verdict === 'skip');
    const title = row.checks.map((c) => c.reason).join('\n');
    return `<td class="gate pass" title="${escapeHtml(title)}"><span class="verdict-label">pass</span>${renderReasons(skipped)}</td>`;
  }
  return `<td class="gate none"><span class="muted">no gate</span>${renderReasons(row.checks.filter((c) => c.verdict === 'skip'))}</td>`;
}

function renderRow(row: MetricDiffRow): string {
  const direction = changeDirection(row);
  const changeClass = direction ? ` ${direction}` : '';
  const directionText = direction && direction !== 'same' ? ` <span class="direction">${direction}</span>` : '';
  const title = `${row.higherIsBetter ? 'higher' : 'lower'} is better`;
  return [
    `<tr class="metric verdict-${escapeHtml(row.verdict)}">`,
    `<th scope="row" class="name" title="${title}">${escapeHtml(row.name)}</th>`,
    `<td class="num deployed">${escapeHtml(formatValue(row.deployed))}</td>`,
    `<td class="num candidate">${escapeHtml(formatValue(row.candidate))}</td>`,
    `<td class="num change${changeClass}">${escapeHtml(formatChange(row.change))}${directionText}</td>`,
    `<td class="num interval">${renderInterval(row)}</td>`,
    renderGate(row),
    '</tr>',
  ].join('');
}

function renderTable(diff: MetricsDiff): string {
  const head = '<thead><tr><th scope="col">metric</th><th scope="col">deployed</th><th scope="col">candidate</th><th scope="col">change</th><th scope="col">95% interval</th><th scope="col">gate</th></tr></thead>';
  const body = diff.rows.length ? diff.rows.map(renderRow).join('') : '<tr><td colspan="6" class="muted">No metrics to compare.</td></tr>';
  const bootstrap = diff.bootstrap
    ? `<p class="footnote">95% intervals of the change: paired bootstrap, ${escapeHtml(diff.bootstrap.resamples)} resamples, seed ${escapeHtml(diff.bootstrap.seed)}.</p>`
    : '';
  return `<table class="metrics">${head}<tbody>${body}</tbody></table>${bootstrap}`;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? ` (${((100 * part) / whole).toFixed(1)}%)` : '';
}

function renderPredictions(p: PredictionChanges | undefined): string {
  if (!p) return '';
  const item = (label: string, value: string, cls: string) => `<dt>${label}</dt><dd class="${cls}">${escapeHtml(value)}</dd>`;
  return [
    '<section class="predictions">',
    `<h2>Predictions on the same ${escapeHtml(p.rows)} rows</h2>`,
    '<dl class="prediction-counts">',
    item('rows changed', `${p.changed} of ${p.rows}${percent(p.changed, p.rows)}`, 'changed'),
    item('only the candidate right', String(p.onlyCandidateRight), 'only-candidate'),
    item('only the deployed model right', String(p.onlyDeployedRight), 'only-deployed'),
    item('both right', String(p.bothRight), 'both-right'),
    item('both wrong', String(p.bothWrong), 'both-wrong'),
    item('McNemar p (exact, two-sided)', formatP(p.mcnemarP), 'mcnemar'),
    '</dl>',
    '</section>',
  ].join('');
}

function hasGates(diff: MetricsDiff): boolean {
  return diff.rows.some((row) => row.checks.length > 0) || diff.gates.failures.length > 0;
}

function renderVerdict(diff: MetricsDiff, state: RenderState): string {
  const environment = escapeHtml(state.environment);
  if (diff.gates.passed) {
    return hasGates(diff) ? '<p class="gates pass">Gates pass.</p>' : '<p class="gates none">No quality gates are configured: nothing is checked.</p>';
  }
  const failures = diff.gates.failures.length ? `<ul class="failures">${diff.gates.failures.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>` : '';
  const line = diff.gates.blocking
    ? `<p class="gates fail blocking">Gates fail: this blocks deploying to ${environment}.</p>`
    : `<p class="gates fail warning">Gates fail: a warning for ${environment}, which may still be deployed to.</p>`;
  return line + failures;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function renderActions(diff: MetricsDiff, state: RenderState): string {
  const target = `${escapeHtml(diff.candidate.version)} to ${escapeHtml(state.environment)}`;
  const blocked = gatesBlock(diff);
  const deployed = state.result?.ok === true;
  let label = `Deploy ${target}`;
  let why = '';
  if (blocked) {
    const n = diff.gates.failures.length || diff.rows.filter((r) => r.verdict === 'fail').length;
    label = `Deploy ${target}: blocked, ${n ? `${plural(n, 'gate')} failed` : 'gates failed'}`;
    why = `<p id="deploy-blocked" class="blocked-reason">Deploy is disabled: the quality gates must pass to deploy to ${escapeHtml(state.environment)}.</p>`;
  } else if (deployed) {
    label = `Deployed ${target}`;
  }
  const disabled = state.busy || blocked || deployed;
  const deployAttributes = [
    'id="deploy"',
    'class="primary"',
    'data-action="deploy"',
    disabled ? 'disabled' : '',
    blocked ? 'aria-describedby="deploy-blocked"' : '',
    blocked ? `title="${escapeHtml(diff.gates.failures.join('\n'))}"` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const approval = state.approvalRequired && !blocked && !deployed
    ? `<p class="approval">${escapeHtml(state.environment)} requires approval: deploying asks for an explicit confirmation of ${target}.</p>`
    : '';
  const status = state.busy
    ? `<p class="status busy">${escapeHtml(state.busyMessage ?? 'Working…')}</p>`
    : state.result
      ? `<p class="status result ${state.result.ok ? 'ok' : 'error'}">${escapeHtml(state.result.message)}</p>`
      : '';
  return [
    '<footer class="actions">',
    why,
    approval,
    '<div class="buttons">',
    `<button type="button" ${deployAttributes}>${label}</button>`,
    `<button type="button" id="cancel" class="secondary" data-action="cancel"${state.busy ? ' disabled' : ''}>Cancel</button>`,
    '<button type="button" id="copyMarkdown" class="secondary" data-action="copyMarkdown">Copy as Markdown</button>',
    '</div>',
    `<div class="status-line" role="status" aria-live="polite">${status}</div>`,
    '</footer>',
  ].join('');
}

/** The whole view: header, notes, metric table, predictions, gates verdict, buttons. */
export function renderDiff(diff: MetricsDiff, state: RenderState): string {
  return [
    renderHeader(diff, state),
    renderNotes(diff.notes),
    renderTable(diff),
    renderPredictions(diff.predictions),
    renderVerdict(diff, state),
    renderActions(diff, state),
  ].join('\n');
}
