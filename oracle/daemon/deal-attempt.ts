/**
 * One attempt at an accepted deal: its outcome (built by the pipeline, or "no deal" when the deal
 * is out of time or its dataset used up its attempts; closed when its deadline passed), persisted
 * before anything is sent, then its submission and what the chain said about it. A failed
 * attempt is recorded with its code and the deal waits its backoff (scheduling.ts); whether it is
 * tried again is retryVerdict's answer (chain/retry.ts). Everything is persisted before each
 * step, so an attempt abandoned by a crash or a stop resumes after a restart.
 */
import type { Logger } from "pino";
import { buildOutcome, noDeal, type PipelineDeps, type Step } from "./pipeline.ts";
import { failureCode, storedCode } from "./reason-codes.ts";
import { classifyFailure, retryVerdict } from "../chain/retry.ts";
import { bindTermsFields } from "./config-digest.ts";
import { deadlinePassed, type ChainClock } from "./chain-clock.ts";
import { retryDelayMs, type BackoffOptions } from "./scheduling.ts";
import { recordIfDoneElsewhere } from "./foreign-deals.ts";
import type { DealId, DealRow, Store, StoredOutcome } from "./store.ts";
import type { Submitter } from "./submitter.ts";
import type { Hex } from "../../sdk/src/eip712.ts";

/** What a deal's attempts need from the daemon. */
export interface AttemptDeps {
  store: Store;
  logger: Logger;
  submitter: Submitter;
  clock: ChainClock;
  /** The pipeline's dependencies, its step hook and abort signal included. */
  pipeline: PipelineDeps;
  /** Attempts at fetching a deal's dataset before it closes as no deal. */
  maxAttempts: number;
  /** A deal still unfinished this many seconds before its deadline closes as no deal. */
  marginS: number;
  backoff: BackoffOptions;
  /** False once the daemon stops: failures are then left for the restart, not recorded. */
  running: () => boolean;
  configDigest?: Hex;
  /** Which replica serves the deal, written into its terms (DESIGN.md §12). */
  oracle?: { signer: Hex; instanceId: Hex };
  onStep?: (step: Step, dealId: DealId) => void | Promise<void>;
  onDone?: (dealId: DealId, status: "settled" | "closed") => void;
}

/** Builds (if needed) and submits a deal's outcome; never throws. */
export async function attemptDeal(deal: DealRow, d: AttemptDeps): Promise<void> {
  const log = d.logger.child({ dealId: deal.id.toString() });
  try {
    let row = deal;
    if (row.status === "accepted") {
      // a deal this replica takes up late (joined, restarted, or its turn came by the takeover
      // delay) may be settled already by another: no negotiation for it (DESIGN.md §12)
      if (await doneElsewhere(row, d)) return;
      const built = await outcomeFor(row, log, d);
      if (built === undefined) return;
      const outcome = bindTermsFields(built, {
        ...(d.configDigest === undefined ? {} : { configDigest: d.configDigest }),
        ...(d.oracle === undefined ? {} : { oracle: d.oracle }),
      });
      d.store.saveOutcome(row.id, outcome);
      log.info({ agreed: outcome.settlement.agreed, reason: outcome.reason }, "outcome built");
      row = d.store.get(row.id)!;
    }
    await d.onStep?.("outcome_built", row.id);
    const outcome = row.outcome!;
    const epoch = d.store.reorgEpoch();
    const r = await d.submitter.submit(outcome, row.deadline);
    if (r.kind === "sent") {
      log.info({ txHash: r.tx.hash, nonce: r.tx.nonce }, "settlement sent");
      await d.onStep?.("submitted", row.id);
      return;
    }
    // what the chain said before a rewind may be replaced: the next attempt reads it again
    if (d.store.reorgEpoch() !== epoch) return;
    if (r.kind === "already_settled") {
      d.store.markSettled(row.id, { settledBy: "oracle", atBlock: r.atBlock });
      log.info("deal already settled on-chain with this outcome");
      d.onDone?.(row.id, "settled");
      return;
    }
    if (r.code === "settled_by_other") {
      // another replica's settlement landed first: the deal is settled (not closed), and the
      // outcome this replica built was never the deal's — the API then points to the other one
      d.store.markSettled(row.id, {
        settledBy: "other",
        ...(r.atBlock === undefined ? {} : { atBlock: r.atBlock }),
      });
      log.info("deal settled by another replica first; our outcome was not sent");
      d.onDone?.(row.id, "settled");
      return;
    }
    d.store.markClosed(row.id, `${r.code}: ${r.why}`, r.atBlock);
    log.warn({ code: r.code }, "deal closed without our settlement");
    d.onDone?.(row.id, "closed");
  } catch (e) {
    recordFailure(deal, e, log, { ...d, counts: true });
  }
}

/** Whether the chain's final block shows the deal done elsewhere (a failed read: not known, work on). */
async function doneElsewhere(row: DealRow, d: AttemptDeps): Promise<boolean> {
  try {
    return await recordIfDoneElsewhere(row, d);
  } catch {
    return false;
  }
}

/** The deal's outcome, or undefined when it was closed (its deadline passed). */
async function outcomeFor(row: DealRow, log: Logger, d: AttemptDeps): Promise<StoredOutcome | undefined> {
  const chainNow = d.clock.now();
  if (deadlinePassed(row.deadline, chainNow)) {
    d.store.markClosed(
      row.id,
      "deadline_passed: the deadline passed before an outcome; the buyer can refund",
    );
    log.warn({ code: "deadline_passed" }, "deal closed without an outcome");
    d.onDone?.(row.id, "closed");
    return undefined;
  }
  const lastCode = row.last_code ?? "none";
  if (deadlinePassed(row.deadline, chainNow, d.marginS))
    return noDeal(row, `out_of_time (${lastCode}): the deal could not finish before its deadline`);
  try {
    return await buildOutcome(row, d.pipeline);
  } catch (e) {
    // only the seller's dataset counts against the attempts: infrastructure faults (the model,
    // the RPC) are retried until the deadline margin, never turned into a refusal
    const v = retryVerdict(e, { scope: "deal", attempt: row.attempts + 1, maxAttempts: d.maxAttempts });
    if (v.kind === "dataset" && !v.retry && d.running())
      return noDeal(
        row,
        `dataset_unavailable (${storedCode(v.code!)}): the dataset could not be fetched in ${row.attempts + 1} attempts`,
      );
    throw e;
  }
}

/**
 * Records a failed attempt with its code; `counts` (a build or submission, not a reconciliation)
 * adds an attempt and holds the deal back for its backoff.
 */
export function recordFailure(
  deal: DealRow,
  e: unknown,
  log: Logger,
  o: { store: Store; backoff: BackoffOptions; running: () => boolean; counts: boolean },
): void {
  if (!o.running()) return; // shutting down: the deal resumes on restart as it was
  const code = failureCode(e);
  const delay = o.counts ? retryDelayMs(deal.attempts + 1, o.backoff) : 0;
  let attempts: number;
  try {
    attempts = o.counts
      ? o.store.recordError(deal.id, code, (e as Error).message, Date.now() + delay)
      : deal.attempts;
  } catch {
    return; // the store is closed: the process is going down; the deal resumes on restart
  }
  log.warn(
    { code, attempts, failure: classifyFailure(e).kind, retryInMs: delay },
    "deal step failed; will retry",
  );
}
