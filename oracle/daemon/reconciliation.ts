/**
 * Catching up with the chain for a submitted deal (DESIGN.md §9): its settlement transaction is
 * reconciled under its nonce (re-broadcast or fee-bumped while pending, never signed anew while
 * it may still be mined); a receipt at the final block that settles the deal marks it settled,
 * unless a reorganisation rewound the store since the receipt was read; a transaction that
 * reverted or whose nonce went elsewhere can never settle it, so the deal goes back to be checked
 * and submitted again with the same outcome. This lane is cheap and takes no work slot.
 */
import type { Logger } from "pino";
import { receiptSettles } from "./submitter.ts";
import { recordFailure } from "./deal-attempt.ts";
import type { Outbox } from "./outbox.ts";
import type { Step } from "./pipeline.ts";
import type { BackoffOptions } from "./scheduling.ts";
import type { DealId, DealRow, Store } from "./store.ts";

export interface ReconcileDeps {
  store: Store;
  outbox: Outbox;
  logger: Logger;
  backoff: BackoffOptions;
  running: () => boolean;
  onStep?: (step: Step, dealId: DealId) => void | Promise<void>;
  onDone?: (dealId: DealId, status: "settled" | "closed") => void;
}

/** Reconciles a submitted deal's transaction with the chain; never throws. */
export async function reconcileSubmitted(deal: DealRow, d: ReconcileDeps): Promise<void> {
  const log = d.logger.child({ dealId: deal.id.toString() });
  try {
    const tx = deal.tx_hash === null ? undefined : d.store.txByHash(deal.tx_hash);
    if (tx === undefined) {
      d.store.resetSubmission(deal.id);
      return;
    }
    const epoch = d.store.reorgEpoch();
    const r = await d.outbox.reconcile(tx.nonce);
    if (r.kind === "pending") return;
    if (r.kind === "mined" && receiptSettles(r.receipt, deal.id)) {
      await d.onStep?.("settled", deal.id);
      // a rewind since the receipt was read may have replaced its block: check again next tick
      if (d.store.reorgEpoch() !== epoch) return;
      d.store.markSettled(deal.id, {
        settledBy: "oracle",
        txHash: r.receipt.hash,
        gasUsed: r.receipt.gasUsed.toString(),
        atBlock: r.receipt.blockNumber,
      });
      log.info({ txHash: r.receipt.hash, gasUsed: r.receipt.gasUsed.toString() }, "deal settled");
      d.onDone?.(deal.id, "settled");
      return;
    }
    // a settlement mined and reverted is a wasted transaction (with replicas: another one
    // settled the deal first); counted for /health and the fleet benchmark
    if (r.kind === "mined") d.store.countWastedTx();
    // mined and reverted, or its nonce went elsewhere: that transaction can never settle the
    // deal, so the same outcome may be submitted again (after a fresh check of the deal)
    log.warn(
      { txHash: tx.hash, result: r.kind === "mined" ? "reverted" : "dropped" },
      "the settlement transaction did not settle the deal; resubmitting",
    );
    d.store.resetSubmission(deal.id);
  } catch (e) {
    recordFailure(deal, e, log, { ...d, counts: false });
  }
}
