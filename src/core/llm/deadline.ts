/**
 * One model request's time budget and cancellation: a signal that aborts when the caller aborts or when the total
 * timeout passes, and that remembers which of the two happened so errors can say so. Real time, not the injectable
 * Clock: these are network timeouts.
 */
/** What the silence is: the reply not starting, the reply not starting while the model loads, or a gap mid-reply. */
export type IdlePhase = 'headers' | 'load' | 'body';

export class Deadline {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly endsAt: number;
  private readonly timer: NodeJS.Timeout;
  private readonly onOuterAbort: () => void;
  private expired = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private idleFired: IdlePhase | undefined;
  private idleArmedMs = 0;

  constructor(
    readonly timeoutMs: number,
    private readonly outer?: AbortSignal,
  ) {
    this.signal = this.controller.signal;
    this.endsAt = Date.now() + timeoutMs;
    this.onOuterAbort = () => this.controller.abort(outer?.reason);
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    // The request's socket (or a retry's sleep) keeps the process alive; a forgotten deadline must not.
    this.timer.unref();
    if (outer?.aborted) this.onOuterAbort();
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  /** The caller cancelled (takes precedence over the timeout). */
  get cancelled(): boolean {
    return this.outer?.aborted ?? false;
  }

  get timedOut(): boolean {
    return this.expired && !this.cancelled;
  }

  /** Which silence ran out, if one did: waiting for the reply to start, or between two chunks of it. */
  get idleExpired(): IdlePhase | undefined {
    return this.cancelled ? undefined : this.idleFired;
  }

  /** How long the last armed silence was allowed to last (for messages). */
  get idleLimitMs(): number {
    return this.idleArmedMs;
  }

  /**
   * Starts (or restarts) the silence timer. Armed only while we wait for the server, never while the caller holds
   * a token, so a slow consumer is not mistaken for a silent server.
   */
  armIdle(ms: number, phase: IdlePhase): void {
    clearTimeout(this.idleTimer);
    this.idleArmedMs = ms;
    this.idleTimer = setTimeout(() => {
      this.idleFired = phase;
      this.controller.abort(new Error(`no data for ${ms} ms`));
    }, ms);
    this.idleTimer.unref();
  }

  disarmIdle(): void {
    clearTimeout(this.idleTimer);
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - Date.now());
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.idleTimer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }
}
