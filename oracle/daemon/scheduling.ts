/**
 * Which deal runs next, and when a failed one runs again (DESIGN.md §9). Work runs in at most
 * `concurrency` slots; deals on a retry take at most half of them, one seller at most half, fresh
 * deals go first (then the oldest), and a failed deal waits a jittered exponential backoff before
 * its next attempt, unless it is near its deadline (its last attempt closes it) — so no deal or
 * party holds every slot. Pure functions of the store's rows and what is running.
 */
import { backoffMs } from "../chain/retry.ts";
import { deadlinePassed } from "./chain-clock.ts";
import type { DealRow } from "./store.ts";
import type { Claim } from "./assignment.ts";

/** A deal holding a slot: whose it is and whether it is on a retry. */
export interface Busy {
  seller: string;
  retry: boolean;
}

export interface SlotLimits {
  concurrency: number;
  /** ms since epoch, for the deals' backoff. */
  wall: number;
  /** Chain time (unix seconds), for their deadlines. */
  chainNow: number;
  /** A deal this many seconds before its deadline runs whatever its backoff. */
  marginS: number;
}

/**
 * The deals to start now, in order, from `pending` (the store's unfinished deals, submitted ones
 * excepted), given the work already in its slots (`busy`) and the deals taken otherwise (`taken`).
 */
export function dealsToStart(
  pending: readonly DealRow[],
  busy: readonly Busy[],
  taken: (id: DealRow["id"]) => boolean,
  limits: SlotLimits,
  order: "oldest" | "newest" = "oldest",
): DealRow[] {
  const age = order === "oldest" ? 1 : -1;
  const ready = pending
    .filter(
      (d) =>
        d.status !== "submitted" &&
        !taken(d.id) &&
        (d.next_attempt_at <= limits.wall || deadlinePassed(d.deadline, limits.chainNow, limits.marginS)),
    )
    .sort(
      (a, b) => Math.sign(a.attempts) - Math.sign(b.attempts) || age * (a.created_block - b.created_block),
    );
  const half = Math.max(1, Math.ceil(limits.concurrency / 2));
  const running = [...busy];
  const start: DealRow[] = [];
  for (const d of ready) {
    if (running.length >= limits.concurrency) break;
    const retry = d.attempts > 0;
    if (retry && running.filter((w) => w.retry).length >= half) continue;
    if (running.filter((w) => w.seller === d.seller).length >= half) continue;
    running.push({ seller: d.seller, retry });
    start.push(d);
  }
  return start;
}

/**
 * The deals to start now when some are held as takeovers (assignment.ts): the replica's own and
 * urgent deals first, oldest first; then its late own deals (a backup may have taken them up,
 * oldest first) newest first; takeovers only in the slots left after them, oldest first — so a
 * busy replica does not start a deal a live holder still has queued, and a holder and a backup
 * work a backlog from opposite ends.
 */
export function dealsToStartByClaim(
  pending: readonly DealRow[],
  claim: (id: DealRow["id"]) => Claim | undefined,
  busy: readonly Busy[],
  taken: (id: DealRow["id"]) => boolean,
  limits: SlotLimits,
): DealRow[] {
  const running = [...busy];
  const start: DealRow[] = [];
  const tiers: [readonly Claim[], "oldest" | "newest"][] = [
    [["own", "urgent"], "oldest"],
    [["late"], "newest"],
    [["takeover"], "oldest"],
  ];
  for (const [claims, order] of tiers) {
    const tier = pending.filter((d) => {
      const c = claim(d.id);
      return c !== undefined && claims.includes(c);
    });
    const picked = dealsToStart(tier, running, taken, limits, order);
    for (const d of picked) running.push({ seller: d.seller, retry: d.attempts > 0 });
    start.push(...picked);
  }
  return start;
}

export interface BackoffOptions {
  pollMs: number;
  /** Base and ceiling of the backoff in ms (defaults 1000, 30000); a base of 0 retries at once. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

/** How long a deal waits after its `attempt`-th failed attempt (at least one poll, jittered). */
export function retryDelayMs(attempt: number, o: BackoffOptions): number {
  if (o.retryBaseMs === 0) return 0;
  return Math.max(o.pollMs, backoffMs(attempt, o.retryBaseMs ?? 1000, o.retryMaxMs ?? 30_000));
}
