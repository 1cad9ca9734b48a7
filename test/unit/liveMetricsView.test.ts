import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JSDOM } from 'jsdom';
import type { ShadowFigures } from '../../src/core/deploy/shadowFigures';
import type { LiveFigures } from '../../src/core/watch/liveFigures';
import type { ToWebviewMessage } from '../../src/webview/liveMetricsProtocol';
import { REPO_ROOT } from '../support/projectFixture';

/** The webview's script as it ships: the browser bundle that the panel loads. */
const BUNDLE = path.join(REPO_ROOT, 'dist', 'liveMetricsView.js');

/** The live-metrics webview in a DOM of its own: what it posted to the host, and a way to send it a message. */
function openView(): { window: JSDOM['window']; posted: unknown[]; send: (message: ToWebviewMessage) => void } {
  const dom = new JSDOM('<!DOCTYPE html><body><main id="root"></main></body>', { runScripts: 'outside-only' });
  const posted: unknown[] = [];
  Object.assign(dom.window, { acquireVsCodeApi: () => ({ postMessage: (message: unknown) => posted.push(message) }) });
  dom.window.eval(fs.readFileSync(BUNDLE, 'utf8'));
  return { window: dom.window, posted, send: (message) => dom.window.dispatchEvent(new dom.window.MessageEvent('message', { data: message })) };
}

/** Figures of one round of scrapes, `seconds` after the first. */
function point(seconds: number, shadow?: ShadowFigures): LiveFigures {
  return { time: new Date(Date.UTC(2026, 11, 2, 12, 0, seconds)).toISOString(), windowSeconds: 30, requests: 45, requestsPerSecond: 1.5, errorRate: 0, clientErrorRate: 0, p50Ms: 2.1, p95Ms: 4.8, inFlight: 0, drift: [], ...(shadow ? { shadow } : {}) };
}

// 11 of 45 requests with a differing class: the iris validation rows that 1.0.0 and 2.0.0 predict differently.
const SHADOW: ShadowFigures = { version: '2.0.0', mirrored: 45, compared: 45, incomparable: 0, classDifferenceRate: 11 / 45, errorRate: 0, p50Ms: 2.4, p95Ms: 6.25, skipped: 1, total: { compared: 45, classDifferences: 11, maxScoreDifference: 0.8129734993 } };

const series = (points: LiveFigures[]): ToWebviewMessage => ({ type: 'series', project: 'iris', environment: 'staging', spanMs: 600_000, series: { url: 'http://127.0.0.1:24083', points } });

/** The legends of a chart, as "label value" each. */
function legends(window: JSDOM['window'], chart: string): string[] {
  return [...window.document.querySelectorAll(`#chart-${chart} .legend`)].map((legend) => legend.textContent?.replace(/\s+/g, ' ').trim() ?? '');
}

describe('the live-metrics webview (its shipped bundle, in a DOM)', () => {
  it('says it is ready, then draws the charts and the drift section of the figures it is sent', () => {
    const { window, posted, send } = openView();
    // Made in the page's realm: compared by value.
    assert.deepEqual(JSON.parse(JSON.stringify(posted)), [{ type: 'ready' }]);
    send(series([point(0), point(5)]));
    assert.deepEqual([...window.document.querySelectorAll('figure.chart')].map((f) => f.id), ['chart-rate', 'chart-latency', 'chart-errors', 'chart-inflight']);
    assert.deepEqual(legends(window, 'latency'), ['p50 2.10 ms', 'p95 4.80 ms']);
    assert.deepEqual([...window.document.querySelectorAll('h2')].map((h) => h.textContent), ['Input drift']);
    assert.match(window.document.querySelector('p.muted:last-of-type')?.textContent ?? '', /built without a validation set/);
    assert.equal(window.document.getElementById('shadow'), null, 'no shadow section without a shadow');
  });

  it('adds a shadow section while one runs: its differing answers and its latency over time, and its totals', () => {
    const { window, send } = openView();
    send(series([point(0), point(5, SHADOW), point(10, SHADOW)]));
    const section = window.document.getElementById('shadow');
    assert.ok(section, 'a shadow section');
    assert.equal(section.querySelector('h2')?.textContent, 'Shadow 2.0.0');
    assert.deepEqual(legends(window, 'shadow-differs'), ['predicted class 24.4 %', 'shadow 5xx 0.0 %']);
    assert.deepEqual(legends(window, 'shadow-latency'), ['active p95 4.80 ms', 'shadow p95 6.25 ms']);
    // The shadow's line starts where its figures do: two points, after a gap where the first had none.
    const differs = window.document.querySelector('#chart-shadow-differs path.line.orange')?.getAttribute('d') ?? '';
    assert.match(differs, /^M[\d.]+,[\d.]+L[\d.]+,[\d.]+$/);
    const totals = [...section.querySelectorAll('table.shadow-totals tr')].map((row) => [row.querySelector('th')?.textContent, row.querySelector('td')?.textContent]);
    assert.deepEqual(totals, [
      ['Requests compared since it started', '45'],
      ['Predicted class differs', '11 (24.4 %)'],
      ['Largest score difference', '0.812973'],
      ['Answers that could not be compared, in the window', '0'],
      ['Copies not sent, in the window (busy, too large, client gone)', '1'],
    ]);
  });

  it('drops the shadow section once the shadow has ended (the latest figures have none)', () => {
    const { window, send } = openView();
    send(series([point(0), point(5, SHADOW)]));
    assert.ok(window.document.getElementById('shadow'));
    send(series([point(0), point(5, SHADOW), point(10)]));
    assert.equal(window.document.getElementById('shadow'), null);
  });

  it('shows what the service and the router say as text, never as markup', () => {
    const { window, send } = openView();
    send(series([point(0), point(5, { ...SHADOW, version: '<img src=x onerror="window.injected=1">' })]));
    assert.equal(window.document.querySelector('#shadow h2')?.textContent, 'Shadow <img src=x onerror="window.injected=1">');
    assert.equal(window.document.querySelectorAll('img').length, 0);
    assert.equal((window as unknown as { injected?: number }).injected, undefined);
  });

  it('ignores a message that is not a series', () => {
    const { window, send } = openView();
    send({ type: 'nonsense' } as unknown as ToWebviewMessage);
    assert.equal(window.document.getElementById('root')?.childElementCount, 0);
  });
});
