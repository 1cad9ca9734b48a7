import { type Document, isAlias, type LineCounter, type Node, visit } from 'yaml';
import type { ConfigProblem } from './configProblem';
import { toTextRange } from './yamlPositions';

/**
 * The document as plain data, or the problem that stops it being read. Expanding aliases can fail on a
 * document written to exhaust memory (aliases of aliases, "billion laughs"): `yaml` stops it with an
 * exception, which is the user's input to fix, not an internal error.
 */
export function yamlValue(doc: Document, lineCounter: LineCounter): { value: unknown } | { problem: ConfigProblem } {
  try {
    return { value: doc.toJS() ?? {} };
  } catch (error) {
    let alias: Node | undefined;
    visit(doc, {
      Alias(_, node) {
        alias = node;
        return visit.BREAK;
      },
    });
    const message = alias
      ? `YAML: its aliases (*${isAlias(alias) ? alias.source : ''} and others) expand to too many values to read`
      : `YAML: the document cannot be read: ${(error as Error).message}`;
    return { problem: { severity: 'error', message, hint: alias ? 'write the values out instead of nesting aliases' : undefined, ...toTextRange(lineCounter, alias?.range ?? [0, 0]) } };
  }
}
