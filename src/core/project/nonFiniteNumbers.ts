/**
 * Paths of the numbers in a parsed config that are not finite. YAML reads `.inf`, `.nan` and `1e400` as
 * Infinity or NaN, which a JSON Schema `number` accepts and which make no sense as a scale or a gate.
 */
export function nonFiniteNumbers(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; value: number }[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => nonFiniteNumbers(item, [...path, index]));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => nonFiniteNumbers(item, [...path, key]));
  return [];
}
