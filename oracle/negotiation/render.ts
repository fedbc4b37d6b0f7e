/**
 * Renders the transcript the parties see from the outcome alone (DESIGN §8, strongest form):
 * its offers are a function of the outcome (deal or not, price, terms, who walked away), the
 * escrow and fresh enclave randomness — never of a limit — so for a fixed outcome and seed it is
 * the same whatever the limits were. A deal reads as 3–8 rounds (fewer if the round limit is
 * lower) of asks falling and bids rising towards the price, ending in the seller offering the
 * price and the buyer accepting it; "no overlap" as offers that approach a point drawn from the
 * escrow alone and stop short, then the buyer walking away; a judged walk-away as one move and
 * a reject. Messages are added afterwards by the agents (engine.ts).
 */
import { priceTick } from "./mechanism.ts";
import type { DealRandom } from "./random.ts";
import type { Role, Terms, TranscriptEntry } from "./types.ts";

export type RenderOutcome =
  | { kind: "deal"; priceWei: bigint; terms: Terms; posted: boolean }
  | { kind: "no-overlap"; terms: Terms; postedPriceWei?: bigint }
  | { kind: "walk-away"; by: Role; terms: Terms };

export interface RenderInput {
  outcome: RenderOutcome;
  escrowWei: bigint;
  maxRounds: number;
  random: DealRandom;
}

/** Public parameters of the rendering (hashed into the policy). */
export const RENDER_PARAMS = {
  rounds: [3, 8],
  sellerOpening: [0.3, 0.8],
  buyerOpening: [0.3, 0.7],
  beta: [0.5, 2],
  noDealAnchor: [0.35, 0.65],
  noDealReach: [0.4, 0.75],
} as const;

type Range = readonly [number, number];
const lerp = ([lo, hi]: Range, u: number) => lo + u * (hi - lo);
const logUniform = ([lo, hi]: Range, u: number) => Math.exp(Math.log(lo) + u * Math.log(hi / lo));
/** wei × f for 0 ≤ f ≤ 1, exact to 1e-15 of the amount. */
const times = (wei: bigint, f: number) => (wei * BigInt(Math.round(f * 1e15))) / 10n ** 15n;
const ceilTo = (x: bigint, t: bigint) => ((x + t - 1n) / t) * t;
const floorTo = (x: bigint, t: bigint) => (x / t) * t;
const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);

/** Positions from `from` towards `to`: position i is at fraction reach·(i/(n−1))^β of the way. */
function path(from: bigint, to: bigint, count: number, n: number, beta: number, reach: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const f = n <= 1 ? reach : reach * Math.pow(i / (n - 1), beta);
    out.push(from > to ? from - times(from - to, f) : from + times(to - from, f));
  }
  return out;
}

export function renderSkeleton(input: RenderInput): TranscriptEntry[] {
  const { outcome, escrowWei: E, random: rnd } = input;
  const tick = priceTick(E);
  const entries: TranscriptEntry[] = [];
  const push = (
    round: number,
    role: Role,
    action: TranscriptEntry["action"],
    priceWei?: bigint,
    terms?: Terms,
  ) =>
    entries.push({
      round,
      role,
      action,
      ...(priceWei === undefined ? {} : { priceWei: priceWei.toString() }),
      ...(terms === undefined ? {} : { terms }),
    });
  const lowR = Math.min(RENDER_PARAMS.rounds[0], input.maxRounds);
  const highR = Math.min(RENDER_PARAMS.rounds[1], input.maxRounds);
  const R = lowR + Number(rnd.below("rounds", BigInt(highR - lowR + 1)));
  const betaS = logUniform(RENDER_PARAMS.beta, rnd.uniform("beta:seller"));
  const betaB = logUniform(RENDER_PARAMS.beta, rnd.uniform("beta:buyer"));
  const sellerAt = (x: bigint, floorAt: bigint) => min(E, max(floorAt, ceilTo(x, tick)));
  const buyerAt = (x: bigint, capAt: bigint) => {
    const v = min(capAt, floorTo(x, tick));
    return v > 0n ? v : min(capAt, tick);
  };

  if (outcome.kind === "walk-away") {
    if (outcome.by === "seller") push(1, "seller", "reject");
    else {
      const anchor = times(E, lerp(RENDER_PARAMS.noDealAnchor, rnd.uniform("anchor")));
      const open = anchor + times(E - anchor, lerp(RENDER_PARAMS.sellerOpening, rnd.uniform("open:seller")));
      push(1, "seller", "offer", sellerAt(open, 1n), outcome.terms);
      push(1, "buyer", "reject");
    }
    return entries;
  }

  if (outcome.kind === "deal" && outcome.posted) {
    push(1, "seller", "offer", outcome.priceWei, outcome.terms);
    push(1, "buyer", "accept", outcome.priceWei, outcome.terms);
    return entries;
  }
  if (outcome.kind === "no-overlap" && outcome.postedPriceWei !== undefined) {
    push(1, "seller", "offer", outcome.postedPriceWei, outcome.terms);
    push(1, "buyer", "reject");
    return entries;
  }

  const deal = outcome.kind === "deal";
  // the point the offers approach: the price, or (no deal) a point drawn from the escrow alone
  const target = deal ? outcome.priceWei : times(E, lerp(RENDER_PARAMS.noDealAnchor, rnd.uniform("anchor")));
  const reach = deal ? 1 : lerp(RENDER_PARAMS.noDealReach, rnd.uniform("reach"));
  const sOpen = target + times(E - target, lerp(RENDER_PARAMS.sellerOpening, rnd.uniform("open:seller")));
  const bOpen = target - times(target, lerp(RENDER_PARAMS.buyerOpening, rnd.uniform("open:buyer")));
  const asks = path(sOpen, target, R, R, betaS, reach).map((x) => sellerAt(x, target));
  // the buyer's bids stop one step short of the price: the seller's last ask meets it
  const bids = path(bOpen, target, deal ? R - 1 : R, R, betaB, deal ? 1 : reach).map((x) =>
    buyerAt(x, target),
  );
  if (deal) asks[R - 1] = target;
  for (let round = 1; round <= R; round++) {
    push(round, "seller", round === 1 ? "offer" : "counter", asks[round - 1], outcome.terms);
    if (round < R) push(round, "buyer", "counter", bids[round - 1], outcome.terms);
    else if (deal) push(round, "buyer", "accept", target, outcome.terms);
    else push(round, "buyer", "reject");
  }
  return entries;
}
