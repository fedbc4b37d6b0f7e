/**
 * Chain time, and the one deadline rule. The chain's clock is the newest block's timestamp run on
 * by the wall-clock time since that block was first seen (not re-seen), so it advances between
 * blocks and does not jump when a node re-serves an old head. The deadline rule is the contract's
 * (settlement reverts once block.timestamp > deadline) read from the sender's side: blocks have
 * strictly increasing timestamps, so a transaction sent at chain time `now` lands at now + 1 at
 * the earliest, and a deal is out of time once `now` reaches its deadline (minus a margin).
 */

/**
 * Whether a deal whose deadline is `deadline` (unix seconds) can no longer be settled `marginS`
 * seconds before it, at chain time `chainNow`: true from `deadline - marginS` on.
 */
export function deadlinePassed(deadline: number, chainNow: number, marginS = 0): boolean {
  return chainNow >= deadline - marginS;
}

export class ChainClock {
  #head: { number: number; timestamp: number; seenAt: number } | undefined;

  /** Records the chain's newest block; its time counts from when this number was first seen. */
  observe(head: { number: number; timestamp: number }): void {
    if (this.#head?.number !== head.number)
      this.#head = { number: head.number, timestamp: head.timestamp, seenAt: Date.now() };
  }

  /** The newest block seen (number and timestamp), undefined before the first. */
  get head(): { number: number; timestamp: number } | undefined {
    return this.#head === undefined
      ? undefined
      : { number: this.#head.number, timestamp: this.#head.timestamp };
  }

  /** Chain time now (unix seconds): the wall clock until the first block is seen. */
  now(): number {
    if (this.#head === undefined) return Math.floor(Date.now() / 1000);
    return this.#head.timestamp + Math.floor((Date.now() - this.#head.seenAt) / 1000);
  }
}
