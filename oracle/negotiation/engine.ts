/**
 * Alternating-offers engine: the seller opens, sides alternate, each move is offer / counter /
 * accept / reject. Every move passes the guard (guard.ts); a refused or failed move is retried
 * once with the reason, then counts as a reject. Agents see only accepted public moves. The
 * transcript is deterministic for deterministic agents (no timestamps in it).
 */
import { checkMove, type CheckedMove, type Offer } from "./guard.ts";
import { redactAmount } from "./money.ts";
import { policyHash, termsOutput, transcriptOutput } from "./canonical.ts";
import {
  emptyUsage,
  type Agent,
  type AgentView,
  type Role,
  type Terms,
  type TranscriptEntry,
  type Usage,
} from "./types.ts";
import type { Hex } from "../../sdk/src/eip712.ts";

export const DEFAULT_MAX_ROUNDS = 8;
export const DEFAULT_TERMS: Terms = { accessScope: "full", durationDays: 365 };

export interface NegotiationInput {
  dealId: bigint;
  escrowWei: bigint;
  buyer: { budgetWei: bigint; requirements: string };
  seller: { floorWei: bigint; description: string };
  facts: Readonly<Record<string, unknown>>;
  sellerIdentity: { domain: string | null; verified: boolean };
  agents: { buyer: Agent; seller: Agent };
  maxRounds?: number;
  baseTerms?: Terms;
  onMove?: (entry: TranscriptEntry) => void;
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

export interface UsageReporting {
  usage?(): Usage;
}

export async function negotiate(input: NegotiationInput): Promise<NegotiationResult> {
  const maxRounds = input.maxRounds ?? DEFAULT_MAX_ROUNDS;
  if (!Number.isInteger(maxRounds) || maxRounds < 1 || maxRounds > 50)
    throw new Error("maxRounds must be 1..50");
  const baseTerms = input.baseTerms ?? DEFAULT_TERMS;
  const transcript: TranscriptEntry[] = [];
  const publicHistory: TranscriptEntry[] = [];
  let lastOffer: Offer | null = null;
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
          sellerIdentity: input.sellerIdentity,
          baseTerms,
          history: [...publicHistory],
          ...(retryReason === undefined ? {} : { retryReason }),
        };
        let raw: unknown;
        try {
          raw = await agent.move(view);
        } catch (e) {
          raw = undefined;
          retryReason = `the agent failed: ${(e as Error).message.slice(0, 200)}`;
        }
        const checked: CheckedMove =
          raw === undefined
            ? { ok: false as const, reason: retryReason ?? "no move" }
            : checkMove(raw, { role, reservationWei, escrowWei: input.escrowWei, lastOffer });
        const note =
          checked.ok && checked.note !== undefined ? redactAmount(checked.note, reservationWei) : undefined;
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
        break;
      }
    }
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

export type { Role };
