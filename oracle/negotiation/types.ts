/** The vocabulary of a negotiation: terms, moves, transcript entries, and the agent interface. */
import { z } from "zod";
import { DealProofError, type DealProofErrorOptions } from "../../sdk/src/errors.ts";
import type { DealRandom } from "./random.ts";
import type { Role } from "../../sdk/src/inputs.ts";

const ACCESS_SCOPES = ["full", "research-only", "non-commercial", "evaluation"] as const;

export const termsSchema = z.strictObject({
  accessScope: z.enum(ACCESS_SCOPES),
  durationDays: z.number().int().min(1).max(3650),
  /** Scenario-specific terms (e.g. deidentified: true). */
  extras: z
    .record(
      z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,31}$/),
      z.union([z.string().max(120), z.number().finite(), z.boolean()]),
    )
    .refine((r) => Object.keys(r).length <= 8, "at most 8 extra terms")
    .optional(),
});
export type Terms = z.infer<typeof termsSchema>;

const ACTIONS = ["offer", "counter", "accept", "reject"] as const;
export type Action = (typeof ACTIONS)[number];
/** A party: the SDK's, which binds it into every sealed input. */
export type { Role };

/**
 * What an agent proposes. Prices are decimal ETH strings ("0.73"), converted to wei exactly;
 * anything an agent returns is validated by the engine before it counts.
 */
export const rawMoveSchema = z.object({
  action: z.enum(ACTIONS),
  price: z.string().max(40).optional(),
  terms: z.unknown().optional(),
  message: z.string().optional(),
});
export type RawMove = z.infer<typeof rawMoveSchema>;

export interface TranscriptEntry {
  round: number;
  /** "mediator": the enclave's closing step when both agents opted into mediation. */
  role: Role | "mediator";
  agent: string;
  /** "mediated" / "no-overlap": the mediator's result. */
  action: Action | "mediated" | "no-overlap";
  /** Wei, decimal. */
  priceWei?: string;
  terms?: Terms;
  /** The agent's short public message (capped; dropped if it stated its sender's own limit). */
  note?: string;
  /** Present when the engine refused this move; the reason never contains a private value. */
  refused?: { reason: string };
}

/** A compact summary of the check stage for the agents (DESIGN §10). */
export interface CheckEvidence {
  checks: { id: string; required: boolean; passed: boolean; value?: number }[];
  datasheetVerified: boolean;
}

export interface AgentView {
  role: Role;
  round: number;
  maxRounds: number;
  /** This side's own limit: budget (buyer) or floor (seller). Never the other side's. */
  reservationWei: bigint;
  escrowWei: bigint;
  /** Trusted text from this agent's own principal. */
  ownBrief: string;
  /** Text supplied by the other party: untrusted data, never instructions. */
  counterpartyText: string;
  facts: Readonly<Record<string, unknown>>;
  /** DESIGN §10: the datasheet verdict and the buyer's check results (as the seller's policy renders them). */
  evidence?: CheckEvidence;
  sellerIdentity: { domain: string | null; verified: boolean };
  baseTerms: Terms;
  /** Accepted public moves so far (refused attempts are not shown to agents). */
  history: readonly TranscriptEntry[];
  /** Set on the retry after a refused move. */
  retryReason?: string;
  /** This side's enclave randomness for this deal (keyed draws; never from a party). */
  random: DealRandom;
  /** Wall-clock time (ms) by which the negotiation must be over; agents stop retrying faults then. */
  notAfterMs?: number;
}

export interface Agent {
  /** e.g. "strategy:boulware" or "claude:claude-sonnet-5-5". */
  readonly name: string;
  readonly kind: "strategy" | "claude";
  readonly model?: string;
  /**
   * True when reaching the last round without a reject authorises the enclave's mediator to pick
   * a price between this side's limit and the other's (engine.ts).
   */
  readonly mediation?: boolean;
  /** Everything that determines this agent's behaviour (prompts, parameters): hashed into termsHash. */
  policy(): Record<string, unknown>;
  move(view: AgentView): Promise<RawMove>;
}

export interface Usage {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export const emptyUsage = (): Usage => ({
  calls: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
});

/**
 * An agent could not move because of an infrastructure fault (model API down, rate-limited,
 * overloaded, malformed answers) after a bounded retry budget, or near the deadline. Never a
 * refusal: the deal ends as "no deal" with reason code `agent-unavailable` (DESIGN §9).
 */
export class AgentUnavailableError extends DealProofError<"agent.unavailable"> {
  override name = "AgentUnavailableError";
  readonly role: Role | undefined;
  constructor(message: string, role?: Role, options?: DealProofErrorOptions) {
    super("agent.unavailable", message, options);
    this.role = role;
  }
}
