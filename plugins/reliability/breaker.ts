/** Circuit breaker states. */
export type BreakerState = 'closed' | 'open' | 'half_open';

/** Breaker settings (reference §3.7 defaults). */
export interface BreakerOptions {
  failure_threshold: number;
  success_threshold: number;
  timeout_ms: number;
  window_ms: number;
}

/** Reference defaults: 5 failures in 5 minutes open it; after 60 s probes; 2 successes close it. */
export const BREAKER_DEFAULTS: BreakerOptions = { failure_threshold: 5, success_threshold: 2, timeout_ms: 60_000, window_ms: 300_000 };

/**
 * A circuit breaker for one step type or tool. Unlike the reference, half-open admits a single
 * probe at a time, and a success while closed clears the failure window.
 */
export class CircuitBreaker {
  readonly #options: BreakerOptions;
  readonly #now: () => number;
  #state: BreakerState = 'closed';
  #failures: number[] = [];
  #openSince = 0;
  #probing = false;
  #successes = 0;
  /** Counters since creation. */
  readonly stats = { total: 0, successful: 0, failed: 0, rejected: 0, transitions: 0 };

  constructor(options: Partial<BreakerOptions> = {}, now: () => number = Date.now) {
    this.#options = { ...BREAKER_DEFAULTS, ...options };
    this.#now = now;
  }

  /** The current state (an open breaker past its timeout reads as half-open). */
  get state(): BreakerState {
    if (this.#state === 'open' && this.#now() - this.#openSince >= this.#options.timeout_ms) this.#move('half_open');
    return this.#state;
  }

  /** Whether a call may go ahead now; a refused call is counted as rejected. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed' || (state === 'half_open' && !this.#probing)) {
      this.#probing = state === 'half_open';
      return true;
    }
    this.stats.rejected++;
    return false;
  }

  /** Records a call that succeeded. */
  success(): void {
    this.stats.total++;
    this.stats.successful++;
    this.#probing = false;
    if (this.#state === 'closed') this.#failures = [];
    else if (this.#state === 'half_open' && ++this.#successes >= this.#options.success_threshold) this.#move('closed');
  }

  /** Records a call that failed. */
  failure(): void {
    this.stats.total++;
    this.stats.failed++;
    this.#probing = false;
    this.#successes = 0;
    const now = this.#now();
    this.#failures = [...this.#failures.filter((t) => now - t < this.#options.window_ms), now];
    if (this.#state === 'half_open' || (this.#state === 'closed' && this.#failures.length >= this.#options.failure_threshold)) this.#move('open');
  }

  /** Forces the breaker closed. */
  reset(): void {
    this.#move('closed');
  }

  /** Forces the breaker open. */
  forceOpen(): void {
    this.#move('open');
  }

  #move(to: BreakerState): void {
    if (to === this.#state) return;
    this.#state = to;
    this.stats.transitions++;
    this.#successes = 0;
    this.#probing = false;
    if (to === 'open') this.#openSince = this.#now();
    if (to === 'closed') this.#failures = [];
  }
}
