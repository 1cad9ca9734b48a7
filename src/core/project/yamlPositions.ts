import { Document, LineCounter, isMap, isSeq, isScalar, isPair, type Node, type Pair } from 'yaml';

/** A 1-based line/column range inside the YAML text. */
export interface TextRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/**
 * Finds where a value (or, with `key: true`, the key that holds it) sits in the YAML source, walking the
 * parsed document by a JSON path. Falls back to the nearest existing ancestor so every problem gets a line.
 */
export function rangeOfPath(doc: Document, lineCounter: LineCounter, path: readonly (string | number)[], key = false): TextRange {
  let node: unknown = doc.contents;
  let keyNode: Node | undefined;
  let best: Node | undefined = isNodeWithRange(node) ? node : undefined;
  for (const segment of path) {
    const pair = childPair(node, segment);
    if (pair === undefined) {
      const item = isSeq(node) ? node.items[Number(segment)] : undefined;
      if (item === undefined) break;
      node = item;
      keyNode = undefined;
    } else {
      keyNode = isNodeWithRange(pair.key) ? pair.key : undefined;
      node = pair.value;
    }
    best = key && keyNode ? keyNode : isNodeWithRange(node) ? node : keyNode ?? best;
  }
  return toTextRange(lineCounter, best?.range ?? [0, 0, 0]);
}

/** The range of the key `name` inside the map at `path` (for unknown keys), or of the map itself. */
export function rangeOfKey(doc: Document, lineCounter: LineCounter, path: readonly (string | number)[], name: string): TextRange {
  return rangeOfPath(doc, lineCounter, [...path, name], true);
}

export function toTextRange(lineCounter: LineCounter, range: readonly number[]): TextRange {
  const start = lineCounter.linePos(range[0]);
  const end = lineCounter.linePos(range[1] ?? range[0]);
  return { line: start.line, column: start.col, endLine: end.line, endColumn: end.col };
}

function childPair(node: unknown, segment: string | number): Pair | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((pair) => isPair(pair) && isScalar(pair.key) && String(pair.key.value) === String(segment));
}

function isNodeWithRange(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value && Array.isArray((value as Node).range);
}
