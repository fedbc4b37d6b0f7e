/**
 * Alternating-offers engine: the seller opens, sides alternate, each move is offer / counter /
 * accept / reject. Every move passes the guard (guard.ts) and every message the text guard
 * (disclosure.ts); a refused move is retried once with the reason, then counts as a reject; a
 * message naming its sender's own limit is refused once, then dropped. An agent's
 * infrastructure fault (AgentUnavailableError) is never a move: it aborts the negotiation with
 * that error. When both agents opted into mediation and the rounds run out, the enclave's
 * mediator settles: a price drawn with enclave randomness inside [max(floor, lowest open
 * position), min(budget, escrow, highest open position)] (a randomised k-double auction), or
 * "no overlap" when floor > budget. Agents see only accepted public moves. The transcript is a
 * function of the inputs and the deal's seed (no timestamps in it).
 */
import { isDeepStrictEqual } from "node:util";
import { checkMove, type CheckedMove, type Offer } from "./guard.ts";
import { findDisclosure } from "./disclosure.ts";
import { policyHash, termsOutput, transcriptOutput } from "./canonical.ts";
import { dealRandom, freshSeed } from "./random.ts";
import {
  AgentUnavailableError,
  emptyUsage,
  type Agent,
  type AgentView,
  type CheckEvidence,
  type Role,
  type Terms,
  type TranscriptEntry,
  type Usage,
} from "./types.ts";
import type { Hex } from "../../sdk/src/eip712.ts";

const DEFAULT_MAX_ROUNDS = 8;
const DEFAULT_TERMS: Terms = { accessScope: "full", durationDays: 365 };

export interface NegotiationInput {
  dealId: bigint;
  escrowWei: bigint;
  buyer: { budgetWei: bigint; requirements: string };
  seller: { floorWei: bigint; description: string };
  facts: Readonly<Record<string, unknown>>;
  /** DESIGN §10: the check stage's summary, passed to both agents' views. */
  evidence?: CheckEvidence;
  sellerIdentity: { domain: string | null; verified: boolean };
  agents: { buyer: Agent; seller: Agent };
  maxRounds?: number;
  baseTerms?: Terms;
  onMove?: (entry: TranscriptEntry) => void;
  /** 32 bytes of enclave randomness for this deal (random.ts); a fresh CSPRNG draw when absent. */
  randomSeed?: Uint8Array;
  /** Wall-clock ms by which the negotiation must be over (agents stop retrying faults). */
  notAfterMs?: number;
  /** The DKIM check's result and failure code, recorded in the terms. */
  sellerDkim?: { result: string; reasonCode: string | null };
}

export interface NegotiationResult {
  agreed: boolean;
  priceWei: bigint;
  terms: Terms | null;
  termsJson: string;
  termsHash: Hex;
  transcript: TranscriptEntry[];
  transcriptJson: string;
  transcriptHash: Hex;
  agents: { buyer: string; seller: string };
  reason: string;
  usage: { buyer: Usage; seller: Usage };
}

interface UsageReporting {
  usage?(): Usage;
}

export async function negotiate(input: NegotiationInput): Promise<NegotiationResult> {
  const maxRounds = input.maxRounds ?? DEFAULT_MAX_ROUNDS;
  if (!Number.isInteger(maxRounds) || maxRounds < 1 || maxRounds > 50)
    throw new Error("maxRounds must be 1..50");
  const baseTerms = input.baseTerms ?? DEFAULT_TERMS;
  const seed = input.randomSeed ?? freshSeed();
  const random = { buyer: dealRandom(seed, "buyer"), seller: dealRandom(seed, "seller") };
  const transcript: TranscriptEntry[] = [];
  const publicHistory: TranscriptEntry[] = [];
  let lastOffer: Offer | null = null;
  const lastPosition: Partial<Record<Role, Offer>> = {};
  let outcome: { agreed: boolean; offer?: Offer; reason: string } | undefined;

  const record = (e: TranscriptEntry, isPublic: boolean) => {
    transcript.push(e);
    if (isPublic) publicHistory.push(e);
    input.onMove?.(e);
  };

  turns: for (let round = 1; round <= maxRounds; round++) {
    for (const role of ["seller", "buyer"] as const) {
      const agent = input.agents[role];
      const reservationWei = role === "buyer" ? input.buyer.budgetWei : input.seller.floorWei;
      let retryReason: string | undefined;
      for (let attempt = 1; attempt <= 2; attempt++) {
        const view: AgentView = {
          role,
          round,
          maxRounds,
          reservationWei,
          escrowWei: input.escrowWei,
          ownBrief: role === "buyer" ? input.buyer.requirements : input.seller.description,
          counterpartyText: role === "buyer" ? input.seller.description : input.buyer.requirements,
          facts: input.facts,
          ...(input.evidence === undefined ? {} : { evidence: input.evidence }),
          sellerIdentity: input.sellerIdentity,
          baseTerms,
          history: [...publicHistory],
          ...(retryReason === undefined ? {} : { retryReason }),
          random: random[role],
          ...(input.notAfterMs === undefined ? {} : { notAfterMs: input.notAfterMs }),
        };
        let raw: unknown;
        try {
          raw = await agent.move(view);
        } catch (e) {
          if (e instanceof AgentUnavailableError)
            throw new AgentUnavailableError(`the ${role}'s agent is unavailable: ${e.message}`, role);
          raw = undefined;
          retryReason = `the agent failed: ${(e as Error).message.slice(0, 200)}`;
        }
        let checked: CheckedMove =
          raw === undefined
            ? { ok: false as const, reason: retryReason ?? "no move" }
            : checkMove(raw, { role, reservationWei, escrowWei: input.escrowWei, lastOffer });
        let note: string | undefined = checked.ok ? checked.note : undefined;
        const disclosed: ReturnType<typeof findDisclosure> =
          note === undefined ? undefined : findDisclosure(note, reservationWei, input.escrowWei);
        if (checked.ok && disclosed !== undefined) {
          if (attempt === 1)
            checked = {
              ok: false,
              action: checked.action,
              reason: `the message states your own limit (as ${disclosed.kind}): send it again without any amount near your limit`,
            };
          else note = undefined; // second time: the move stands, the message is dropped
        }
        if (!checked.ok) {
          record(
            {
              round,
              role,
              agent: agent.name,
              action: checked.action ?? "reject",
              refused: { reason: checked.reason },
            },
            false,
          );
          retryReason = checked.reason;
          if (attempt === 2) {
            outcome = { agreed: false, reason: `the ${role}'s move was refused twice: ${checked.reason}` };
            break turns;
          }
          continue;
        }
        const entry: TranscriptEntry = {
          round,
          role,
          agent: agent.name,
          action: checked.action,
          ...(checked.priceWei === undefined ? {} : { priceWei: checked.priceWei.toString() }),
          ...(checked.terms === undefined ? {} : { terms: checked.terms }),
          ...(note === undefined || note === "" ? {} : { note }),
        };
        record(entry, true);
        if (checked.action === "reject") {
          outcome = { agreed: false, reason: `the ${role} rejected` };
          break turns;
        }
        if (checked.action === "accept") {
          outcome = { agreed: true, offer: lastOffer!, reason: `the ${role} accepted` };
          break turns;
        }
        lastOffer = { role, priceWei: checked.priceWei!, terms: checked.terms! };
        lastPosition[role] = lastOffer;
        break;
      }
    }
  }
  if (
    outcome === undefined &&
    input.agents.buyer.mediation === true &&
    input.agents.seller.mediation === true
  ) {
    const m = mediate(input, lastPosition, dealRandom(seed, "mediator"));
    const entry: TranscriptEntry = {
      round: maxRounds,
      role: "mediator",
      agent: "enclave-mediator",
      action: m.offer === undefined ? "no-overlap" : "mediated",
      ...(m.offer === undefined ? {} : { priceWei: m.offer.priceWei.toString(), terms: m.offer.terms }),
      note: m.reason,
    };
    record(entry, true);
    outcome =
      m.offer === undefined
        ? { agreed: false, reason: m.reason }
        : { agreed: true, offer: m.offer, reason: m.reason };
  }
  outcome ??= { agreed: false, reason: `no agreement within ${maxRounds} rounds` };

  // Re-check the agreement against both limits and the escrow, independently of the guard.
  if (outcome.agreed) {
    const p = outcome.offer!.priceWei;
    if (!(p > 0n && p <= input.escrowWei && p >= input.seller.floorWei && p <= input.buyer.budgetWei)) {
      outcome = { agreed: false, reason: "the agreed price broke a limit and was voided" };
    }
  }

  const agreed = outcome.agreed;
  const priceWei = agreed ? outcome.offer!.priceWei : 0n;
  const terms = agreed ? outcome.offer!.terms : null;
  const describe = (a: Agent) => ({
    kind: a.kind,
    name: a.name,
    ...(a.model === undefined ? {} : { model: a.model }),
  });
  const t = termsOutput({
    v: 1,
    dealId: input.dealId.toString(),
    agreed,
    priceWei: priceWei.toString(),
    terms,
    agents: { buyer: describe(input.agents.buyer), seller: describe(input.agents.seller) },
    policyHash: policyHash(input.agents.buyer.policy(), input.agents.seller.policy()),
    sellerIdentity: input.sellerIdentity,
    dataFacts: input.facts,
    ...(input.sellerDkim === undefined ? {} : { sellerDkim: input.sellerDkim }),
    ...(agreed ? {} : { reason: outcome.reason }),
  });
  const usageOf = (a: Agent) => (a as Agent & UsageReporting).usage?.() ?? emptyUsage();
  return {
    agreed,
    priceWei,
    terms,
    ...t,
    transcript,
    ...transcriptOutput(input.dealId, transcript),
    agents: { buyer: input.agents.buyer.name, seller: input.agents.seller.name },
    reason: outcome.reason,
    usage: { buyer: usageOf(input.agents.buyer), seller: usageOf(input.agents.seller) },
  };
}

/**
 * The enclave's closing step. Both sides' last positions bound the price (neither pays more than
 * the seller last asked nor gets less than the buyer last bid), and both limits bound it: the
 * price is lo + k·(hi − lo) on a public tick, lo = max(floor, low), hi = min(budget, escrow,
 * high), with k = (u₁ + u₂)/2 from the mediator's own enclave randomness — a k-double auction
 * (Chatterjee & Samuelson 1983) whose k is secret and triangular, so the price's density
 * vanishes at both limits and it does not sit next to either one. Empty interval ⇔ floor > budget
 * (or above the escrow): "no overlap", which says nothing more than the outcome does.
 */
const MEDIATION_TICK_WEI = 10n ** 12n;

function mediate(
  input: NegotiationInput,
  last: Partial<Record<Role, Offer>>,
  rnd: ReturnType<typeof dealRandom>,
): { offer?: Offer; reason: string } {
  const noOverlap = { reason: "no overlap: the mediator found no price both limits allow" };
  const floor = input.seller.floorWei;
  const budget = input.buyer.budgetWei < input.escrowWei ? input.buyer.budgetWei : input.escrowWei;
  if (floor > budget || budget <= 0n) return noOverlap;
  const s = last.seller;
  const b = last.buyer;
  if (s !== undefined && b !== undefined && !isDeepStrictEqual(s.terms, b.terms))
    return {
      reason: "no agreement: the last positions named different terms, so there was nothing to mediate",
    };
  const terms = s?.terms ?? b?.terms ?? input.baseTerms ?? DEFAULT_TERMS;
  const positions = [s?.priceWei, b?.priceWei].filter((x): x is bigint => x !== undefined);
  const low = positions.length === 0 ? floor : positions.reduce((x, y) => (x < y ? x : y));
  const high = positions.length === 0 ? budget : positions.reduce((x, y) => (x > y ? x : y));
  let lo = floor > low ? floor : low;
  const hi = budget < high ? budget : high;
  if (lo < 1n) lo = 1n;
  if (lo > hi) return noOverlap; // cannot happen when floor ≤ budget (positions respect the limits)
  // k = (u1 + u2)/2 as an exact fraction of 2^64, then rounded onto the tick inside [lo, hi]
  const k = rnd.below("k1", 1n << 63n) + rnd.below("k2", 1n << 63n);
  let price = lo + ((hi - lo) * k) / (1n << 64n);
  const onTick = (price / MEDIATION_TICK_WEI) * MEDIATION_TICK_WEI;
  if (onTick >= lo) price = onTick;
  else if (onTick + MEDIATION_TICK_WEI <= hi) price = onTick + MEDIATION_TICK_WEI;
  return {
    offer: { role: "seller", priceWei: price, terms },
    reason: "agreed by the enclave's mediator: the price lies between both limits and both last positions",
  };
}
