import { recordedFigures } from './figures';

/** Mocha root hooks: after every file has run, the suite's figures as one table. */
export const mochaHooks = {
  afterAll(): void {
    const rows = recordedFigures();
    if (!rows.length) return;
    const header = ['area', 'check', 'figure', 'verdict'];
    const cells = rows.map((row) => [row.area, row.check, row.figure, row.ok ? 'ok' : 'FAILED']);
    const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column].length)));
    const line = (cell: string[]) => `| ${cell.map((text, column) => text.padEnd(widths[column])).join(' | ')} |`;
    console.log(`\nReliability figures\n${line(header)}\n| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`);
    for (const cell of cells) console.log(line(cell));
  },
};
