/**
 * The listing-verification queue (DESIGN.md §11, issue 25 "a listing flood by one seller"):
 * bounded and fair per seller. Each seller has its own FIFO, capped at `perSellerCap` waiting jobs
 * (an offer over the cap is refused and stays in the store, offered again later: nothing is lost);
 * at most `maxRunning` verifications run at once. A free slot goes to the seller with waiting work
 * that has the FEWEST verifications running, ties broken by the one served least recently (one
 * never served first). So a seller never starts a second verification while another seller has
 * work waiting and none running, and a seller's first waiting listing takes the next slot that
 * frees: even while a flooding seller holds every slot (it may when it was alone), another seller's
 * listing starts within one verification time (one verification is bounded by verify.ts's fetch
 * attempts and budgets), never after the flood. The queue stays work-conserving: a seller alone
 * uses every slot. A job is known by its key (listing id and version): offering it again while it
 * waits or runs does nothing.
 */

export interface QueueOptions {
  maxRunning: number;
  perSellerCap: number;
}

/** The queue's counts as a job starts, itself included (what the fairness rule allowed; for logs). */
export interface StartCounts {
  running: number;
  sellerRunning: number;
  waiting: number;
}

interface Job {
  key: string;
  seller: string;
  run: (at: StartCounts) => Promise<void>;
}

export class VerificationQueue {
  readonly #o: QueueOptions;
  /** Sellers with waiting work → their FIFO. */
  readonly #waiting = new Map<string, Job[]>();
  readonly #known = new Set<string>();
  readonly #running = new Map<string, Promise<void>>();
  /** When each seller was last served (a serial), forgotten once it has nothing waiting or running. */
  readonly #served = new Map<string, number>();
  readonly #busy = new Map<string, number>();
  #serial = 0;

  constructor(o: QueueOptions) {
    if (!(o.maxRunning >= 1 && o.perSellerCap >= 1))
      throw new RangeError("maxRunning and perSellerCap must be ≥ 1");
    this.#o = o;
  }

  /**
   * Offers a job; returns false when the seller's queue is full (offer it again later), true when
   * it is queued, running or was already known. Jobs never throw out of the queue: `run` must
   * turn its own failures into a verdict or a stored retry.
   */
  offer(key: string, seller: string, run: (at: StartCounts) => Promise<void>): boolean {
    if (this.#known.has(key)) return true;
    const s = seller.toLowerCase();
    const q = this.#waiting.get(s) ?? [];
    if (q.length >= this.#o.perSellerCap) return false;
    q.push({ key, seller: s, run });
    this.#known.add(key);
    this.#waiting.set(s, q);
    this.#pump();
    return true;
  }

  /** Jobs waiting (not yet running). */
  get waiting(): number {
    let n = 0;
    for (const q of this.#waiting.values()) n += q.length;
    return n;
  }

  get running(): number {
    return this.#running.size;
  }

  /** Verifications running for one seller (the fairness rule's count). */
  runningFor(seller: string): number {
    return this.#busy.get(seller.toLowerCase()) ?? 0;
  }

  /** Resolves when nothing waits or runs. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()]);
  }

  /** Every running job's promise (a stop waits for these). */
  inFlight(): Promise<void>[] {
    return [...this.#running.values()];
  }

  /** The seller with waiting work and the fewest running, then the one served least recently. */
  #next(): string | undefined {
    let best: string | undefined;
    let busy = Infinity;
    let at = Infinity;
    for (const s of this.#waiting.keys()) {
      const b = this.#busy.get(s) ?? 0;
      const t = this.#served.get(s) ?? -1;
      if (b < busy || (b === busy && t < at)) [best, busy, at] = [s, b, t];
    }
    return best;
  }

  #pump(): void {
    while (this.#running.size < this.#o.maxRunning) {
      const seller = this.#next();
      if (seller === undefined) return;
      const q = this.#waiting.get(seller)!;
      const job = q.shift()!;
      if (q.length === 0) this.#waiting.delete(seller);
      this.#served.set(seller, this.#serial++);
      const sellerRunning = (this.#busy.get(seller) ?? 0) + 1;
      this.#busy.set(seller, sellerRunning);
      const at = { running: this.#running.size + 1, sellerRunning, waiting: this.waiting };
      const p = Promise.resolve()
        .then(() => job.run(at))
        .catch(() => undefined)
        .finally(() => {
          this.#running.delete(job.key);
          this.#known.delete(job.key);
          const busy = this.#busy.get(seller)! - 1;
          if (busy > 0) this.#busy.set(seller, busy);
          else this.#busy.delete(seller);
          if (busy === 0 && !this.#waiting.has(seller)) this.#served.delete(seller);
          this.#pump();
        });
      this.#running.set(job.key, p);
    }
  }
}
