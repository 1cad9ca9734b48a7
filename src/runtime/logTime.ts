// The time as text, made again only when the millisecond changes: under load many requests end in the same one.
let shownMs = -1;
let shownTime = '';

/** Now as an ISO 8601 time, for access-log lines. */
export function logTime(): string {
  const now = Date.now();
  if (now !== shownMs) {
    shownMs = now;
    shownTime = new Date(now).toISOString();
  }
  return shownTime;
}
