/**
 * "My deals" in plain words: what a deal's on-chain state means to the person looking at it, and
 * the one thing this wallet can do next (withdraw, refund after the deadline, wait for the seller
 * or the oracle, cancel while a trust change is pending, nothing). Pure: facts read from the chain
 * in, words out, so the rules are unit-tested under Node (test/web/deal-words.test.ts).
 */
import { formatEther } from "ethers";
import type { DealStateName } from "../../sdk/src/deal-state.ts";

/** What the chain says of one deal, as seen by one wallet. */
export interface DealFacts {
  /** This wallet's part in the deal. */
  role: "buyer" | "seller" | "none";
  state: DealStateName;
  /** The escrow the buyer put in (from the creation event: getDeal zeroes it once terminal). */
  escrow: bigint;
  /** Unix seconds (getDeal's deadline while live, the creation event's otherwise). */
  deadline: number;
  /** The chain's time now, unix seconds. */
  now: number;
  /** Settled: the outcome. */
  settled?: { agreed: boolean; price: bigint };
  /** Refunded by a cancellation (DealCancelled), not by the deadline. */
  cancelled: boolean;
  /** What this wallet can still withdraw (getDeal's payout for its role). */
  payout: bigint;
  /** This wallet withdrew from this deal already. */
  withdrawn: boolean;
  /** `cancelDeal` would not revert for this wallet now: a widening change is pending, or the buyer's request lives. */
  cancelAllowed: boolean;
  /** Created against a listing: the seller is in from the start (no acceptance). */
  fromListing?: boolean;
}

export type NextAction =
  | { kind: "withdraw"; amount: bigint }
  | { kind: "refund" }
  | { kind: "cancel" }
  | { kind: "receive" }
  | { kind: "accept" }
  | { kind: "wait-seller" }
  | { kind: "wait-oracle" }
  | { kind: "wait-buyer-refund" }
  | { kind: "none" };

const eth = (wei: bigint) => `${formatEther(wei)} ETH`;

const live = (s: DealStateName) => s === "Open" || s === "Accepted";

/** The deal's state in one plain phrase. */
export function stateWords(f: DealFacts): string {
  const late = f.now > f.deadline;
  switch (f.state) {
    case "None":
      return "Unknown: no deal with this id on DealProof";
    case "Open":
      return late
        ? "Expired before the seller accepted: the escrow can be refunded"
        : "Waiting for the seller to accept";
    case "Accepted":
      return late
        ? "Past its deadline unsettled: the escrow can be refunded"
        : "With the oracle: checking and pricing in the enclave";
    case "Settled":
      return f.settled?.agreed === true
        ? `Sold for ${eth(f.settled.price)}`
        : "No deal: the whole escrow is the buyer's again";
    case "Refunded":
      return f.cancelled
        ? "Cancelled while a trust change was pending: the escrow is the buyer's again"
        : "Refunded after the deadline: the escrow is the buyer's again";
  }
}

/** What this wallet can do next, most useful first (never empty). */
export function nextActions(f: DealFacts): NextAction[] {
  const out: NextAction[] = [];
  if (f.role === "none") return [{ kind: "none" }];
  if (!live(f.state)) {
    if (f.payout > 0n) out.push({ kind: "withdraw", amount: f.payout });
    if (f.state === "Settled" && f.settled?.agreed === true && f.role === "buyer")
      out.push({ kind: "receive" });
    return out.length === 0 ? [{ kind: "none" }] : out;
  }
  const late = f.now > f.deadline;
  if (late) out.push(f.role === "buyer" ? { kind: "refund" } : { kind: "wait-buyer-refund" });
  else if (f.state === "Open") out.push(f.role === "seller" ? { kind: "accept" } : { kind: "wait-seller" });
  else out.push({ kind: "wait-oracle" });
  if (f.cancelAllowed) out.push({ kind: "cancel" });
  return out;
}

/** One action as the row's sentence. */
export function actionWords(a: NextAction): string {
  switch (a.kind) {
    case "withdraw":
      return `Withdraw ${eth(a.amount)}`;
    case "refund":
      return "Refund: the deadline has passed, the whole escrow comes back to you";
    case "cancel":
      return "Cancel: a trust change is pending, so you may leave (the escrow goes back to the buyer)";
    case "receive":
      return "Receive and verify the dataset (with your delivery key)";
    case "accept":
      return "Accept it on the Sell page (with your sealed floor)";
    case "wait-seller":
      return "Wait for the seller to accept (or refund after the deadline)";
    case "wait-oracle":
      return "Wait for the oracle: it settles before the deadline";
    case "wait-buyer-refund":
      return "Nothing to do: the deadline passed unsettled, the buyer gets the escrow back";
    case "none":
      return "Nothing left to do";
  }
}

/** The price column: the agreed price, "no sale", or the most the buyer can pay while live. */
export function priceWords(f: DealFacts): string {
  if (f.state === "Settled") return f.settled?.agreed === true ? eth(f.settled.price) : "no sale";
  if (f.state === "Refunded") return "no sale";
  return `up to ${eth(f.escrow)}`;
}
