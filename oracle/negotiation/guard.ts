/**
 * Limits enforced in code, whatever an agent says (never delegated to a model): validation of a
 * proposed move against the schema, this side's limit, the escrow and the last offer.
 * Reasons never contain the private limit's value.
 */
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { parseEthExact } from "./money.ts";
import { rawMoveSchema, termsSchema, type Action, type Role, type Terms } from "./types.ts";

export interface Offer {
  role: Role;
  priceWei: bigint;
  terms: Terms;
}

export type CheckedMove =
  | { ok: true; action: Action; priceWei?: bigint; terms?: Terms; note?: string }
  | { ok: false; action?: Action; reason: string };

export interface GuardContext {
  role: Role;
  reservationWei: bigint;
  escrowWei: bigint;
  lastOffer: Offer | null;
}

const NOTE_MAX = 280;

export function checkMove(raw: unknown, g: GuardContext): CheckedMove {
  const parsed = rawMoveSchema.safeParse(raw);
  if (!parsed.success)
    return { ok: false, reason: `malformed move: ${z.prettifyError(parsed.error).replace(/\s+/g, " ")}` };
  const m = parsed.data;
  const note = m.message === undefined ? undefined : m.message.slice(0, NOTE_MAX);
  const other: Role = g.role === "buyer" ? "seller" : "buyer";

  if (m.action === "reject") return { ok: true, action: "reject", note };

  if (m.action === "accept") {
    const last = g.lastOffer;
    if (last === null || last.role !== other)
      return { ok: false, action: "accept", reason: `there is no offer from the ${other} to accept` };
    if (m.price !== undefined && parseEthExact(m.price) !== last.priceWei) {
      return {
        ok: false,
        action: "accept",
        reason: `an accept must accept exactly the ${other}'s last offered price`,
      };
    }
    if (m.terms !== undefined && !isDeepStrictEqual(termsSchema.safeParse(m.terms).data, last.terms)) {
      return {
        ok: false,
        action: "accept",
        reason: `an accept must accept exactly the ${other}'s last offered terms`,
      };
    }
    const limit = limitProblem(g, last.priceWei);
    if (limit !== undefined) return { ok: false, action: "accept", reason: `cannot accept: ${limit}` };
    return { ok: true, action: "accept", priceWei: last.priceWei, terms: last.terms, note };
  }

  // offer / counter
  if (m.action === "counter" && g.lastOffer === null)
    return { ok: false, action: m.action, reason: "nothing to counter yet: make an offer" };
  if (m.price === undefined) return { ok: false, action: m.action, reason: `an ${m.action} needs a price` };
  const priceWei = parseEthExact(m.price);
  if (priceWei === undefined) {
    return {
      ok: false,
      action: m.action,
      reason: "the price must be a plain decimal number of ETH with at most 18 decimals",
    };
  }
  const terms = termsSchema.safeParse(m.terms);
  if (!terms.success)
    return {
      ok: false,
      action: m.action,
      reason: `invalid terms: ${z.prettifyError(terms.error).replace(/\s+/g, " ")}`,
    };
  const limit = limitProblem(g, priceWei);
  if (limit !== undefined) return { ok: false, action: m.action, reason: limit };
  return { ok: true, action: m.action, priceWei, terms: terms.data, note };
}

function limitProblem(g: GuardContext, priceWei: bigint): string | undefined {
  if (priceWei <= 0n) return "the price must be positive";
  if (priceWei > g.escrowWei) return "the price exceeds the escrow the buyer deposited";
  if (g.role === "buyer" && priceWei > g.reservationWei) return "the price is above the buyer's budget";
  if (g.role === "seller" && priceWei < g.reservationWei) return "the price is below the seller's floor";
  return undefined;
}
