/**
 * Per-client rate limit: a token bucket per key (the client's address), refilled at `ratePerSec`
 * up to `burst`. The table is bounded: past `maxClients` keys the least recently seen is dropped
 * (Map keeps insertion order; a hit re-inserts its key), so a flood of addresses costs bounded
 * memory. Invariant: a key never spends more than burst + ratePerSec·t requests in t seconds.
 */
export interface RateLimitOptions {
  ratePerSec: number;
  burst: number;
  maxClients?: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #opts: Required<RateLimitOptions>;

  constructor(opts: RateLimitOptions) {
    this.#opts = { maxClients: 10_000, ...opts };
  }

  /** Takes one token for `key`; returns 0 if allowed, else the seconds to wait. */
  take(key: string, now = Date.now()): number {
    const b = this.#buckets.get(key);
    let tokens = this.#opts.burst;
    if (b !== undefined) {
      tokens = Math.min(this.#opts.burst, b.tokens + ((now - b.at) / 1000) * this.#opts.ratePerSec);
      this.#buckets.delete(key);
    } else if (this.#buckets.size >= this.#opts.maxClients) {
      this.#buckets.delete(this.#buckets.keys().next().value!);
    }
    if (tokens < 1) {
      this.#buckets.set(key, { tokens, at: now });
      return Math.max(1, Math.ceil((1 - tokens) / this.#opts.ratePerSec));
    }
    this.#buckets.set(key, { tokens: tokens - 1, at: now });
    return 0;
  }

  get size(): number {
    return this.#buckets.size;
  }
}
