import * as fs from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { SourceLocation } from '../errors';
import { rangeOfPath } from './yamlPositions';

/**
 * Gives a location that names a config field (`validation.input.shape`) the line and column of that
 * field in the YAML file, so every message about the config points at a line. Unchanged when it already
 * has a line, names no field, or the file cannot be read.
 */
export function locateField(location: SourceLocation | undefined): SourceLocation | undefined {
  if (!location?.field || location.line !== undefined) return location;
  try {
    const lineCounter = new LineCounter();
    const doc = parseDocument(fs.readFileSync(location.file, 'utf8'), { lineCounter });
    const path = location.field.split('.').flatMap((part) => part.split(/\[(\d+)\]/).filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p)));
    const range = rangeOfPath(doc, lineCounter, path, true);
    return { ...location, line: range.line, column: range.column };
  } catch {
    return location;
  }
}
