/** Log lines are JSON on stdout, one per line, for whatever collects the container's output. */
export function log(level: string, message: string, extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...extra })}\n`);
}
