/** One figure of the reliability suite's table: what was checked, how much of it, and the result. */
export interface Figure {
  area: string;
  check: string;
  figure: string;
  ok: boolean;
}

const figures: Figure[] = [];

/** Adds a row to the table printed at the end of `npm run test:reliability`. */
export function recordFigure(area: string, check: string, figure: string, ok: boolean): void {
  figures.push({ area, check, figure, ok });
}

export function recordedFigures(): readonly Figure[] {
  return figures;
}
