/**
 * The mechanism: the enclave sets the outcome (deal or not, price, terms) from the sealed limits,
 * the agents' judgements and its own randomness, before any transcript exists (DESIGN §8).
 *
 * Price rule ("randomized split"): among the candidate terms (the buyer's choice, then the
 * seller's, then the scenario's), the first whose limits overlap is taken; with lo = the seller's
 * floor for that scope and hi = min(the buyer's budget for that scope × its value factor, escrow),
 * the price is lo + k·(hi − lo) with k = (u₁ + u₂)/2 from enclave randomness (triangular on [0, 1],
 * never told to anyone), rounded onto a public tick of 1/10,000 of the escrow's order of magnitude
 * when one lies inside [lo, hi]. A deal exactly when lo ≤ hi. Unlike split-the-difference
 * (b = 2p − f), the price does not determine the other side's limit: for a fixed price every
 * limit above it is possible, and the triangular k keeps the price away from both limits.
 * Posted price: the seller names the price; a deal exactly when it is at most the buyer's budget
 * (× value factor) and the escrow — truthful for the buyer.
 */
import type { DealRandom } from "./random.ts";
import type { AccessScope, Terms } from "./types.ts";

export const PRICE_RULES = {
  "randomized-split":
    "The enclave drew the price at random between the seller's floor and the buyer's budget, weighted towards the middle and told to neither side; the offers shown were rendered from that price afterwards.",
  "posted-price":
    "The seller posted the price, and the enclave checked it against the buyer's sealed budget and the data checks; the offers shown were rendered from that price afterwards.",
} as const;
export type PriceRule = keyof typeof PRICE_RULES;

/** What the transcript is, stated in the transcript and the terms. */
export const TRANSCRIPT_LABEL =
  "the agents' positions as the enclave renders them once the mechanism has set the price";

interface SealedLimits {
  seller: {
    floorWei: bigint;
    floorByScopeWei?: Partial<Record<AccessScope, bigint>>;
    postedPriceWei?: bigint;
  };
  buyer: { budgetWei: bigint; budgetByScopeWei?: Partial<Record<AccessScope, bigint>> };
}

export interface MechanismInput extends SealedLimits {
  escrowWei: bigint;
  /** In order of preference; the first whose limits overlap is the deal's terms. */
  candidates: readonly Terms[];
  /** The buyer's judged value factor (0.5..1): its effective budget is budget × factor. */
  valueFactor: number;
  random: DealRandom;
}

export type Outcome =
  | { agreed: true; priceWei: bigint; terms: Terms; rule: PriceRule }
  | { agreed: false; rule: PriceRule; code: "no-overlap" | "above-budget" };

const FACTOR_SCALE = 1_000_000n;

/** The public price tick for an escrow: 10^(digits − 5) wei (0.0001 ETH for 1–9.99 ETH). */
export function priceTick(escrowWei: bigint): bigint {
  const digits = escrowWei.toString().length;
  return digits <= 5 ? 1n : 10n ** BigInt(digits - 5);
}

function effectiveBudget(input: MechanismInput, scope: AccessScope): bigint {
  const b = input.buyer.budgetByScopeWei?.[scope] ?? input.buyer.budgetWei;
  const f = BigInt(Math.round(Math.min(1, Math.max(0, input.valueFactor)) * Number(FACTOR_SCALE)));
  const scaled = (b * f) / FACTOR_SCALE;
  return scaled < input.escrowWei ? scaled : input.escrowWei;
}

/** k = (u₁ + u₂)/2 as an exact fraction of 2⁶⁴. */
function drawK(random: DealRandom): bigint {
  return random.below("k1", 1n << 63n) + random.below("k2", 1n << 63n);
}

/** The price inside [lo, hi] at fraction k/2⁶⁴, on the public tick when one fits. */
function splitPrice(lo: bigint, hi: bigint, k: bigint, tick: bigint): bigint {
  const raw = lo + ((hi - lo) * k) / (1n << 64n);
  const down = (raw / tick) * tick;
  if (down >= lo && down > 0n) return down;
  if (down + tick <= hi) return down + tick;
  return raw;
}

export function decide(input: MechanismInput): Outcome {
  const E = input.escrowWei;
  const posted = input.seller.postedPriceWei;
  if (posted !== undefined) {
    for (const terms of input.candidates) {
      if (posted > 0n && posted <= effectiveBudget(input, terms.accessScope))
        return { agreed: true, priceWei: posted, terms, rule: "posted-price" };
    }
    return { agreed: false, rule: "posted-price", code: "above-budget" };
  }
  const k = drawK(input.random);
  for (const terms of input.candidates) {
    const lo0 = input.seller.floorByScopeWei?.[terms.accessScope] ?? input.seller.floorWei;
    const lo = lo0 < 1n ? 1n : lo0;
    const hi = effectiveBudget(input, terms.accessScope);
    if (lo <= hi && lo <= E)
      return { agreed: true, priceWei: splitPrice(lo, hi, k, priceTick(E)), terms, rule: "randomized-split" };
  }
  return { agreed: false, rule: "randomized-split", code: "no-overlap" };
}
