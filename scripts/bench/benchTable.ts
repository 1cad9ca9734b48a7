/** One row of the benchmark table: our figure, the reference measured in the same run, and the goal. */
export interface BenchRow {
  name: string;
  ours: number;
  reference: number;
  unit: string;
  /**
   * The row's ratio when it is not ours/reference: the median of the rounds' own ratios, each round's
   * ours over the reference's turn just before it (a drift in the machine's speed between rounds then
   * cancels out); the note says so.
   */
  ratio?: number;
  /** The ratio must reach this (higher is better); */
  goalRatio?: number;
  /** and/or stay under this (lower is better); */
  maxRatio?: number;
  /** and/or our figure itself must stay under this, in `unit` (an absolute goal); */
  maxValue?: number;
  /** and/or exceed the reference by at most this, in `unit` (a fixed allowance over it). */
  maxExcess?: number;
  note?: string;
}

export function printBenchTable(rows: BenchRow[]): boolean {
  const header = ['benchmark', 'ours', 'reference', 'ratio', 'goal', 'verdict'];
  const body = rows.map((r) => {
    const ratio = r.ratio ?? r.ours / r.reference;
    // Every goal a row sets must be met: a ratio to its reference and an absolute bound can both apply.
    const goals = [
      r.goalRatio !== undefined && { text: `ratio >= ${r.goalRatio}`, met: ratio >= r.goalRatio },
      r.maxRatio !== undefined && { text: `ratio <= ${r.maxRatio}`, met: ratio <= r.maxRatio },
      r.maxValue !== undefined && { text: `<= ${fmt(r.maxValue)} ${r.unit}`, met: r.ours <= r.maxValue },
      r.maxExcess !== undefined && { text: `<= reference + ${fmt(r.maxExcess)} ${r.unit}`, met: r.ours - r.reference <= r.maxExcess },
    ].filter((g): g is { text: string; met: boolean } => Boolean(g));
    const goal = goals.map((g) => g.text).join(' and ') || '-';
    const ok = goals.every((g) => g.met);
    return { cells: [r.name, `${fmt(r.ours)} ${r.unit}`, `${fmt(r.reference)} ${r.unit}`, ratio.toFixed(2), goal, ok ? 'met' : 'MISSED'], ok, note: r.note };
  });
  const widths = header.map((_, i) => Math.max(header[i].length, ...body.map((b) => b.cells[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const b of body) console.log(line(b.cells));
  for (const b of body.filter((x) => x.note)) console.log(`  ${b.cells[0]}: ${b.note}`);
  return body.every((b) => b.ok);
}

function fmt(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value >= 0.1 || value === 0 ? value.toFixed(2) : value.toFixed(3);
}
