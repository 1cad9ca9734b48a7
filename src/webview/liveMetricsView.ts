/// <reference lib="dom" />
/**
 * The live-metrics webview's script (bundled alone for the browser): says it is ready, then draws each
 * series the host sends as small SVG charts and a drift table. Everything is built with DOM calls, text
 * as text: nothing from the service is ever parsed as markup. Colours come from the stylesheet's classes.
 */
import type { ShadowFigures } from '../core/deploy/shadowFigures';
import type { LiveFigures } from '../core/watch/liveFigures';
import { isToWebviewMessage, type ToHostMessage, type ToWebviewMessage } from './liveMetricsProtocol';

declare function acquireVsCodeApi(): { postMessage(message: ToHostMessage): void };

interface Line {
  label: string;
  /** A class of the stylesheet that gives the line a theme colour. */
  colour: string;
  value: (point: LiveFigures) => number | null;
}

interface Chart {
  id: string;
  title: string;
  unit: string;
  /** A value in the chart's unit, without it (the axis labels). */
  format: (value: number) => string;
  /** The top of the axis while every value is 0. */
  emptyTop: number;
  lines: Line[];
}

const decimals = (value: number) => value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2);
const percent = (share: number) => (share * 100).toFixed(1);
const CHARTS: Chart[] = [
  { id: 'rate', title: 'Request rate', unit: 'req/s', format: decimals, emptyTop: 1, lines: [{ label: 'inference', colour: 'blue', value: (p) => p.requestsPerSecond }] },
  {
    id: 'latency',
    title: 'Latency',
    unit: 'ms',
    format: decimals,
    emptyTop: 1,
    lines: [
      { label: 'p50', colour: 'blue', value: (p) => p.p50Ms },
      { label: 'p95', colour: 'orange', value: (p) => p.p95Ms },
    ],
  },
  {
    id: 'errors',
    title: 'Error rate',
    unit: '%',
    format: percent,
    emptyTop: 0.01,
    lines: [
      { label: '5xx', colour: 'red', value: (p) => p.errorRate },
      { label: '4xx', colour: 'yellow', value: (p) => p.clientErrorRate },
    ],
  },
  { id: 'inflight', title: 'In flight', unit: '', format: (v) => v.toFixed(0), emptyTop: 1, lines: [{ label: 'requests', colour: 'green', value: (p) => p.inFlight }] },
];

/** While a shadow runs: how its answers compare with the active version's, read from the environment's router. */
const SHADOW_CHARTS: Chart[] = [
  {
    id: 'shadow-differs',
    title: 'Shadow: answers that differ',
    unit: '%',
    format: percent,
    emptyTop: 0.01,
    lines: [
      { label: 'predicted class', colour: 'orange', value: (p) => p.shadow?.classDifferenceRate ?? null },
      { label: 'shadow 5xx', colour: 'red', value: (p) => p.shadow?.errorRate ?? null },
    ],
  },
  {
    id: 'shadow-latency',
    title: 'Shadow latency',
    unit: 'ms',
    format: decimals,
    emptyTop: 1,
    lines: [
      { label: 'active p95', colour: 'blue', value: (p) => p.p95Ms },
      { label: 'shadow p95', colour: 'orange', value: (p) => p.shadow?.p95Ms ?? null },
    ],
  },
];

// The chart's drawing area in viewBox units: the y axis's labels to its left, the x axis's below.
const WIDTH = 320;
const HEIGHT = 90;
const LEFT = 40;
const RIGHT = WIDTH - 6;
const TOP = 8;
const BOTTOM = HEIGHT - 18;
const SVG_NS = 'http://www.w3.org/2000/svg';

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function svgElement(tag: string, attributes: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The path of one line: a gap where the figure is unknown (a scrape that could not tell). */
function linePath(points: LiveFigures[], line: Line, x: (p: LiveFigures) => number, y: (v: number) => number): string {
  let path = '';
  let pen = 'M';
  for (const point of points) {
    const value = line.value(point);
    if (value === null) {
      pen = 'M';
      continue;
    }
    path += `${pen}${x(point).toFixed(1)},${y(value).toFixed(1)}`;
    pen = 'L';
  }
  return path;
}

/** A time before the last point, as the x axis's left end says it. */
function ago(ms: number): string {
  return ms < 90_000 ? `−${Math.round(ms / 1000)} s` : `−${Math.round(ms / 60_000)} min`;
}

/**
 * One chart over the points (at least one). The x axis ends at the last point and goes back the span, or
 * to the first point when there are fewer minutes of them; the y axis goes from 0 to the largest value.
 */
function chart(spec: Chart, points: LiveFigures[], spanMs: number): HTMLElement {
  const figure = element('figure', 'chart');
  figure.id = `chart-${spec.id}`;
  const caption = element('figcaption');
  caption.append(element('span', 'title', spec.title));
  const latest = points[points.length - 1];
  for (const line of spec.lines) {
    const current = line.value(latest);
    const legend = element('span', 'legend');
    legend.append(element('span', `swatch ${line.colour}`), `${line.label} `, element('span', 'current', current === null ? '—' : `${spec.format(current)} ${spec.unit}`.trim()));
    caption.append(legend);
  }
  const values = points.flatMap((p) => spec.lines.map((line) => line.value(p))).filter((v): v is number => v !== null);
  const top = Math.max(...values, 0) || spec.emptyTop;
  const end = Date.parse(latest.time);
  const start = Math.max(end - spanMs, Date.parse(points[0].time));
  const width = Math.max(end - start, 1);
  const x = (p: LiveFigures) => LEFT + ((Date.parse(p.time) - start) / width) * (RIGHT - LEFT);
  const y = (v: number) => BOTTOM - (v / top) * (BOTTOM - TOP);
  const plot = svgElement('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'plot', role: 'img', 'aria-label': `${spec.title}${spec.unit ? ` in ${spec.unit}` : ''}, up to ${spec.format(top)}` });
  plot.append(
    svgElement('line', { x1: LEFT, y1: TOP, x2: RIGHT, y2: TOP, class: 'grid' }),
    svgElement('line', { x1: LEFT, y1: BOTTOM, x2: RIGHT, y2: BOTTOM, class: 'axis' }),
    svgElement('text', { x: LEFT - 4, y: TOP + 4, 'text-anchor': 'end' }, spec.format(top)),
    svgElement('text', { x: LEFT - 4, y: BOTTOM + 4, 'text-anchor': 'end' }, '0'),
    svgElement('text', { x: LEFT, y: HEIGHT - 4, 'text-anchor': 'start' }, ago(end - start)),
    svgElement('text', { x: RIGHT, y: HEIGHT - 4, 'text-anchor': 'end' }, new Date(end).toLocaleTimeString()),
  );
  for (const line of spec.lines) plot.append(svgElement('path', { d: linePath(points, line, x, y), class: `line ${line.colour}` }));
  figure.append(caption, plot);
  return figure;
}

function driftTable(latest: LiveFigures): HTMLElement {
  if (!latest.drift.length) return element('p', 'muted', 'No input drift figures: the image was built without a validation set, so it has no input profile.');
  const table = element('table', 'drift');
  table.createTHead().insertRow().append(element('th', '', 'Feature'), element('th', 'num', 'PSI'), element('th', 'num', 'Rows'), element('th'));
  const body = table.createTBody();
  for (const feature of latest.drift) {
    const row = body.insertRow();
    if (feature.drifting) row.className = 'drifting';
    row.append(element('td', 'feature', feature.feature), element('td', 'num', feature.psi === undefined ? '—' : feature.psi.toFixed(3)), element('td', 'num', String(feature.rows)), element('td', 'flag', feature.drifting ? '⚠ drifting' : ''));
  }
  return table;
}

/** A shadow's totals since it started, and what the window could not compare or mirror. */
function shadowTotals(shadow: ShadowFigures): HTMLElement {
  const { total } = shadow;
  const count = (n: number | null) => (n === null ? '—' : String(n));
  const rows: [string, string][] = [
    ['Requests compared since it started', String(total.compared)],
    ['Predicted class differs', total.compared ? `${total.classDifferences} (${percent(total.classDifferences / total.compared)} %)` : '—'],
    ['Largest score difference', total.maxScoreDifference === null ? '—' : String(Number(total.maxScoreDifference.toPrecision(6)))],
    ['Answers that could not be compared, in the window', count(shadow.incomparable)],
    ['Copies not sent, in the window (busy, too large, client gone)', count(shadow.skipped)],
  ];
  const table = element('table', 'shadow-totals');
  const body = table.createTBody();
  for (const [label, value] of rows) body.insertRow().append(element('th', '', label), element('td', 'num', value));
  return table;
}

/** The shadow's section, while the latest figures have one. */
function shadowSection(points: LiveFigures[], shadow: ShadowFigures, spanMs: number): HTMLElement {
  const section = element('section', 'shadow');
  section.id = 'shadow';
  const charts = element('section', 'charts');
  charts.append(...SHADOW_CHARTS.map((spec) => chart(spec, points, spanMs)));
  section.append(
    element('h2', '', `Shadow ${shadow.version}`),
    element('p', 'muted', "It gets a copy of each inference request after the client's answer is sent; its answers are compared with the active version's and never returned."),
    charts,
    shadowTotals(shadow),
  );
  return section;
}

function render(message: ToWebviewMessage): void {
  const { series } = message;
  const heading = element('h1', '', `${message.environment} `);
  heading.append(element('span', 'muted', message.project));
  const parts: Node[] = [heading];
  if (series) parts.push(element('p', 'muted source', `Read from ${series.url}/metrics every few seconds, over the last ${Math.round(message.spanMs / 60_000)} minutes.`));
  if (series?.error) parts.push(element('p', 'error', `The last scrape failed: ${series.error}`));
  const points = series?.points ?? [];
  if (!points.some((p) => p.requestsPerSecond !== null)) {
    parts.push(element('p', 'waiting', 'Waiting for the first figures: rates need two scrapes, a few seconds apart.'));
  } else {
    const charts = element('section', 'charts');
    charts.append(...CHARTS.map((spec) => chart(spec, points, message.spanMs)));
    const latest = points[points.length - 1];
    parts.push(charts, element('h2', '', 'Input drift'), driftTable(latest));
    if (latest.shadow) parts.push(shadowSection(points, latest.shadow, message.spanMs));
  }
  (document.getElementById('root') ?? document.body).replaceChildren(...parts);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isToWebviewMessage(event.data)) render(event.data);
});

acquireVsCodeApi().postMessage({ type: 'ready' });
