/**
 * Which replica works a deal (DESIGN.md §12): rendezvous hashing over the live signers —
 * registered, unrevoked, unexpired and trusted now — ranked by keccak256(dealId ‖ signer),
 * lowest first. Rank 0 works the deal from its acceptance; rank k starts once chain time reaches
 * acceptedAt + k × the takeover delay, the delay shrunk so every live rank gets its turn before
 * the deadline's margin (the "earlier when the deadline would otherwise be missed"). All in chain
 * time, never the wall clock, so replicas whose clocks differ agree. The rule needs no
 * transaction (an on-chain claim would cost gas per deal and a block of latency before any work);
 * the contract's single settlement is the final guard when two replicas disagree.
 * A turn reached by the takeover delay is a "takeover": it runs only in slots the replica's own
 * (rank-0) deals leave free (scheduling.ts), unless it is "urgent" — within one takeover step of
 * the deadline's margin — so a backup never delays its own deals to duplicate a live but busy
 * holder's queue, and a dead holder's deals still move before their deadlines. Work stealing
 * without messages: a busy holder works its "late" deals (those a backup may have taken up)
 * newest first while backups take them oldest first, so the two rarely work the same deal.
 * Pure functions.
 */
import { keccak256, solidityPacked } from "ethers";

/** The rendezvous score of `signer` for `dealId`: keccak256(abi.encodePacked(uint256, address)). */
const score = (dealId: bigint, signer: string) =>
  BigInt(keccak256(solidityPacked(["uint256", "address"], [dealId, signer])));

/** The live signers ranked for `dealId`: who works it first, then who takes it over, in order. */
export function rankSigners(dealId: bigint, live: readonly string[]): string[] {
  const unique = [...new Set(live.map((s) => s.toLowerCase()))];
  return unique
    .map((s) => ({ s, v: score(dealId, s) }))
    .sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : 0))
    .map((x) => x.s);
}

export interface AssignmentInput {
  dealId: bigint;
  /** This replica's signer. */
  self: string;
  /** The live signers (this one included when it is live). */
  live: readonly string[];
  /** Chain time the deal became Accepted (its DealAccepted block's timestamp). */
  acceptedAt: number;
  deadline: number;
  /** Seconds before the deadline by which every rank must have had its turn. */
  marginS: number;
  /** The delay between one rank's turn and the next's (DEALPROOF_TAKEOVER_AFTER_S). */
  takeoverAfterS: number;
}

/**
 * This replica's rank for the deal and the chain time it may start; undefined when it is not
 * live (not in `live`): a replica whose registration lapsed or was revoked works nothing.
 */
export function turnOf(a: AssignmentInput): { rank: number; startsAt: number; delay: number } | undefined {
  const ranked = rankSigners(a.dealId, a.live);
  const rank = ranked.indexOf(a.self.toLowerCase());
  if (rank < 0) return undefined;
  const window = Math.max(0, a.deadline - a.marginS - a.acceptedAt);
  const delay = Math.min(a.takeoverAfterS, Math.floor(window / ranked.length));
  return { rank, startsAt: a.acceptedAt + rank * delay, delay };
}

/** Whether this replica may work the deal at chain time `chainNow`. */
export function holdsDeal(a: AssignmentInput, chainNow: number): boolean {
  return claimOf(a, chainNow) !== undefined;
}

/**
 * How a replica holds a deal: as its rank 0 ("own"; "late" once the next rank may have taken it
 * up), as a takeover, or as an urgent takeover.
 */
export type Claim = "own" | "late" | "takeover" | "urgent";

/**
 * How this replica holds the deal at chain time `chainNow`, or undefined while it is not its turn
 * (or it is not live). Any turn is urgent from one takeover step before the deadline's margin; a
 * rank-0 deal is late from the next rank's turn on (only when there is a next rank).
 */
export function claimOf(a: AssignmentInput, chainNow: number): Claim | undefined {
  const t = turnOf(a);
  if (t === undefined || chainNow < t.startsAt) return undefined;
  if (chainNow >= a.deadline - a.marginS - t.delay) return t.rank === 0 ? "own" : "urgent";
  if (t.rank > 0) return "takeover";
  const hasNext = new Set(a.live.map((s) => s.toLowerCase())).size > 1;
  return hasNext && chainNow >= t.startsAt + t.delay ? "late" : "own";
}
