/**
 * The built-in agent (no network). It decides what a model would — fit, terms, messages — from
 * public inputs only, and never sees a limit (DESIGN §8):
 *  - judge: the buyer walks away when a required data check failed, and discounts its valuation
 *    by 10 % per failed optional check (at most 30 %), a factor the mechanism applies to its
 *    sealed budget inside the enclave; both sides take the scenario's terms.
 *  - write: one line per own entry of the transcript the enclave rendered from the outcome,
 *    chosen by the situation (opening, the other side's step, closing, accepting, walking away)
 *    and the checks, with enclave randomness; no number except the price it quotes.
 */
import { formatEth } from "./money.ts";
import type { Agent, Judgement, PublicView, TranscriptEntry, WriteView } from "./types.ts";

type Situation = "open" | "bigStep" | "smallStep" | "close" | "accept" | "noDeal";

/** Lines per role and situation; "{price}" is the price of the entry the line goes with. */
export const LINES: Record<"buyer" | "seller", Record<Situation, readonly string[]>> = {
  seller: {
    open: [
      "The enclave recomputed the commitment over the real bytes, so you are pricing verified data. I am asking {price} ETH.",
      "This dataset is what the verified facts describe, and it is priced accordingly: {price} ETH.",
      "Data of this quality is rarely offered under these terms; I start at {price} ETH.",
    ],
    bigStep: [
      "That is a real move, thank you. I come down to {price} ETH.",
      "Good, we are getting somewhere. I can do {price} ETH.",
    ],
    smallStep: [
      "That barely moves us, but I step down to {price} ETH; please meet me.",
      "A small step. Here is a larger step from my side: {price} ETH.",
    ],
    close: [
      "We are close now. {price} ETH is a fair price for verified data.",
      "The gap is narrow; I can close at {price} ETH.",
    ],
    accept: ["Agreed. The data is yours at that price.", "That works for me. Agreed."],
    noDeal: [
      "We remain too far apart, and I cannot go lower.",
      "I cannot meet that; I would rather keep the data than sell it below its worth.",
    ],
  },
  buyer: {
    open: [
      "The verified facts look right for our needs, but we must be careful with spend. We bid {price} ETH.",
      "Thank you for the offer; it is well above what we planned. We can start at {price} ETH.",
      "We are interested, and the enclave's checks help. Our opening bid is {price} ETH.",
    ],
    bigStep: [
      "That is a meaningful step, appreciated. We come up to {price} ETH.",
      "Thanks for moving. We meet you part of the way at {price} ETH.",
    ],
    smallStep: [
      "That is only a small step down. We move up more than you did: {price} ETH.",
      "We need more movement than that, but here is a bigger step from our side: {price} ETH.",
    ],
    close: [
      "We are nearly there. {price} ETH is fair for what the data offers.",
      "Only a small gap remains; we can do {price} ETH.",
    ],
    accept: ["Agreed, we will take it at that price.", "Deal. We accept your price."],
    noDeal: [
      "We are still too far apart; the enclave found no price both our limits allow, so we walk away.",
      "We cannot close this gap. The enclave found no price that works for both of us, so we stop here.",
    ],
  },
};

const WALK_AWAY = {
  requiredCheck:
    "A check we required did not pass on the real data, so it does not meet our requirements and we walk away.",
} as const;

/** 10 % per failed optional check, at most 30 %. */
export function evidenceFactor(view: PublicView): { walkAway: boolean; factor: number } {
  const checks = view.evidence?.checks ?? [];
  if (checks.some((c) => c.required && !c.passed)) return { walkAway: true, factor: 1 };
  const shortfalls = checks.filter((c) => !c.required && !c.passed).length;
  return { walkAway: false, factor: Math.max(0.7, 1 - 0.1 * shortfalls) };
}

export function builtInJudgement(view: PublicView): Judgement {
  const terms = { accessScope: view.baseTerms.accessScope, durationDays: view.baseTerms.durationDays };
  if (view.role === "seller") return { walkAway: false, valueFactor: 1, terms, message: "" };
  const e = evidenceFactor(view);
  return {
    walkAway: e.walkAway,
    valueFactor: e.factor,
    terms,
    message: e.walkAway ? WALK_AWAY.requiredCheck : "",
  };
}

const gap = (a: bigint, b: bigint) => (a > b ? a - b : b - a);

function situation(entries: readonly TranscriptEntry[], i: number, escrowWei: bigint): Situation {
  const e = entries[i]!;
  if (e.action === "accept") return "accept";
  if (e.action === "reject") return "noDeal";
  const before = entries.slice(0, i).filter((x) => x.priceWei !== undefined);
  const mineBefore = before.filter((x) => x.role === e.role);
  const theirs = before.filter((x) => x.role !== e.role);
  if (mineBefore.length === 0) return "open";
  if (entries[i + 1]?.action === "accept") return "close";
  const price = BigInt(e.priceWei!);
  const lastTheirs = theirs.at(-1);
  if (lastTheirs !== undefined && gap(price, BigInt(lastTheirs.priceWei!)) * 20n < escrowWei) return "close";
  if (theirs.length < 2) return "bigStep";
  const theirStep = gap(BigInt(theirs.at(-1)!.priceWei!), BigInt(theirs.at(-2)!.priceWei!));
  const myStep = gap(price, BigInt(mineBefore.at(-1)!.priceWei!));
  return theirStep >= myStep ? "bigStep" : "smallStep";
}

/** The built-in line for entry i (exported: the engine falls back to it for a bad model message). */
export function builtInLine(view: WriteView, i: number): string {
  const e = view.entries[i]!;
  const lines = LINES[e.role][situation(view.entries, i, view.escrowWei)];
  const line = lines[Math.floor(view.random.uniform(`line:${i}`) * lines.length)]!;
  return e.priceWei === undefined ? line : line.replace("{price}", formatEth(BigInt(e.priceWei)));
}

export class StrategyAgent implements Agent {
  readonly kind = "strategy" as const;
  readonly name = "strategy:judge-and-write";

  policy(): Record<string, unknown> {
    return {
      agent: "StrategyAgent/3",
      evidence: "required fails: walk away; -10 % per optional, ≤ 30 %",
      lines: LINES,
      walkAway: WALK_AWAY,
    };
  }

  async judge(view: PublicView): Promise<Judgement> {
    return builtInJudgement(view);
  }

  async write(view: WriteView): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    view.entries.forEach((e, i) => {
      if (e.role === view.role && e.note === undefined) out[String(e.round)] = builtInLine(view, i);
    });
    return out;
  }
}
