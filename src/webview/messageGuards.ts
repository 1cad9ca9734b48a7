/**
 * Checks shared by the webviews' protocols: what a webview sends is untrusted, and the host acts on a
 * message only once it has the exact shape of one it knows.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A plain object whose only key is `type`, one of `types`. Anything else (extra keys, other types,
 * inherited names such as `toString`, non-objects) is rejected.
 */
export function isTypeOnlyMessage<T extends string>(value: unknown, types: readonly T[]): value is { type: T } {
  if (!isRecord(value) || !Object.keys(value).every((key) => key === 'type') || !Object.prototype.hasOwnProperty.call(value, 'type')) return false;
  const type = value.type;
  return typeof type === 'string' && (types as readonly string[]).includes(type);
}

/** A message as the log shows it: its JSON, cut short. */
export function describeMessage(message: unknown): string {
  try {
    return JSON.stringify(message)?.slice(0, 200) ?? String(message);
  } catch {
    return String(message);
  }
}
