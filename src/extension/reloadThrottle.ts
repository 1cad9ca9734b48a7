/**
 * Runs a reload at once when asked, then at most once per window: asks that come while a window is open
 * are answered by one reload at its end. Engine events come in bursts (create, start, health status, a
 * deploy's several containers): the first change shows at once, and the rest of a burst costs one more load.
 */
export class ReloadThrottle {
  private window?: NodeJS.Timeout;
  private asked = false;

  constructor(
    private readonly windowMs: number,
    private readonly reload: () => void,
  ) {}

  request(): void {
    if (this.window) {
      this.asked = true;
      return;
    }
    this.reload();
    this.window = setTimeout(() => {
      this.window = undefined;
      if (!this.asked) return;
      this.asked = false;
      this.request();
    }, this.windowMs);
  }

  dispose(): void {
    clearTimeout(this.window);
    this.window = undefined;
    this.asked = false;
  }
}
