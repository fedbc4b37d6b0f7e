/**
 * Deals another replica holds (assignment.ts): this replica does no work on them, but watches
 * their state at the final block (the listener's cursor) now and then, so one settled or
 * refunded elsewhere leaves its store as done, with no submission of ours (DESIGN.md §12). A
 * fact newer than the final block may still be replaced by a reorganisation, so it waits.
 */
import type { Logger } from "pino";
import type { DealId, DealRow, Store } from "./store.ts";
import type { Submitter } from "./submitter.ts";

export interface ForeignDeps {
  store: Store;
  submitter: Submitter;
  logger: Logger;
  onDone?: (dealId: DealId, status: "settled" | "closed") => void;
}

/**
 * Whether the deal was settled or refunded elsewhere by the final block; if so its row is
 * recorded done (no submission of ours). Throws when the chain cannot be read.
 */
export async function recordIfDoneElsewhere(deal: DealRow, d: ForeignDeps): Promise<boolean> {
  const final = d.store.cursor();
  if (final === undefined) return false;
  const epoch = d.store.reorgEpoch();
  const { state } = await d.submitter.dealState(deal.id, final);
  if (d.store.reorgEpoch() !== epoch || d.store.get(deal.id)?.status !== "accepted") return false;
  if (state === "Settled") {
    d.store.markSettled(deal.id, { settledBy: "other", atBlock: final });
    d.logger.info({ dealId: deal.id.toString() }, "deal settled by another replica");
    d.onDone?.(deal.id, "settled");
    return true;
  }
  if (state === "Refunded") {
    d.store.markClosed(deal.id, "refunded: the deal was refunded", final);
    d.onDone?.(deal.id, "closed");
    return true;
  }
  return false;
}

/** Checks one deal another replica holds; never throws (a failed read is retried later). */
export async function checkForeignDeal(deal: DealRow, d: ForeignDeps): Promise<void> {
  try {
    await recordIfDoneElsewhere(deal, d);
  } catch (e) {
    d.logger.debug(
      { dealId: deal.id.toString(), err: (e as Error).message.slice(0, 200) },
      "foreign deal check failed",
    );
  }
}
