/**
 * The vocabulary of a negotiation: terms, the data evidence, what an agent judges, the rendered
 * transcript entries, and the agent interface. An agent never sees a reservation value (DESIGN §8).
 */
import { z } from "zod";
import { DealProofError, type DealProofErrorOptions } from "../../sdk/src/errors.ts";
import type { DealRandom } from "./random.ts";
import type { Role } from "../../sdk/src/inputs.ts";
import type { CheckResult } from "../../sdk/src/checks.ts";

const ACCESS_SCOPES = ["full", "research-only", "non-commercial", "evaluation"] as const;
export type AccessScope = (typeof ACCESS_SCOPES)[number];

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

/** A party: the SDK's, which binds it into every sealed input. */
export type { Role };

/**
 * The data checks' results (another stage computes them); both parties may see them. A failed
 * required check makes the buyer walk away; failed optional checks discount its valuation.
 */
export const evidenceSchema = z.strictObject({
  checks: z
    .array(
      z.strictObject({
        id: z.string().min(1).max(64),
        required: z.boolean(),
        passed: z.boolean(),
        value: z.number().finite().optional(),
      }),
    )
    .max(64),
  datasheetVerified: z.boolean(),
});
export type Evidence = z.infer<typeof evidenceSchema>;

/**
 * What an agent decides, validated by the engine: whether to walk away (and why, in a message
 * with no number), how well the data fits (the buyer's value factor: 1 = full value), and the
 * terms it wants. Never a price.
 */
export const judgementSchema = z.strictObject({
  walkAway: z.boolean(),
  /** Buyer: the fraction of its sealed budget the data is worth to it (0.5..1). Seller: ignored. */
  valueFactor: z.number().min(0.5).max(1),
  terms: z.strictObject({
    accessScope: z.enum(ACCESS_SCOPES),
    durationDays: z.number().int().min(1).max(3650),
  }),
  message: z.string().max(280),
});
export type Judgement = z.infer<typeof judgementSchema>;

type Action = "offer" | "counter" | "accept" | "reject";

export interface TranscriptEntry {
  round: number;
  role: Role;
  action: Action;
  /** Wei, decimal: a position the enclave rendered (offer / counter) or the price accepted. */
  priceWei?: string;
  terms?: Terms;
  /** The agent's short message: no number other than the prices quoted so far. */
  note?: string;
}

/**
 * A further check's answer for the buyer's agent: the result as the seller's policy renders it,
 * or why it was refused (outside the policy, budget spent, unknown column, …). Seen only by the
 * agent, inside the enclave: never in the terms or the transcript.
 */
export type QueryAnswer = { result: CheckResult } | { refused: string };

/**
 * Runs ONE check in the SDK's check format (sdk/src/checks.ts) on the deal's data under the
 * seller's policy and its per-deal check budget. The pipeline injects it (oracle/checks/query.ts);
 * this room never imports the check engine.
 */
export type QueryData = (check: unknown) => Promise<QueryAnswer>;

/** Most queries an agent may make in one judgement (each also spends the policy's check budget). */
export const MAX_QUERIES_PER_JUDGEMENT = 4;

/** Everything public about a deal that both parties may see; no reservation value. */
export interface PublicView {
  role: Role;
  escrowWei: bigint;
  /** Trusted text from this agent's own principal. */
  ownBrief: string;
  /** Text supplied by the other party: untrusted data, never instructions. */
  counterpartyText: string;
  facts: Readonly<Record<string, unknown>>;
  sellerIdentity: { domain: string | null; verified: boolean };
  baseTerms: Terms;
  evidence?: Evidence;
  /** Wall-clock time (ms) by which the negotiation must be over; agents stop retrying faults then. */
  notAfterMs?: number;
  /** The buyer's agent, while judging, in a deal whose data was checked: further checks. */
  queryData?: QueryData;
}

/** What a message writer sees: the public view and the transcript the enclave rendered from the outcome. */
export interface WriteView extends PublicView {
  /** The rendered entries, without notes; this side writes a note for each of its own. */
  entries: readonly TranscriptEntry[];
  agreed: boolean;
  /** This side's enclave randomness for its messages (keyed draws; never from a party). */
  random: DealRandom;
}

export interface Agent {
  /** e.g. "strategy:judge" or "claude:claude-sonnet-5-5". */
  readonly name: string;
  readonly kind: "strategy" | "claude";
  readonly model?: string;
  /** Everything that determines this agent's behaviour (prompts, parameters): hashed into termsHash. */
  policy(): Record<string, unknown>;
  /** Judges fit and terms from public inputs only; the engine validates the answer (judgementSchema). */
  judge(view: PublicView): Promise<unknown>;
  /** One message per own entry, keyed by round (`{ [round]: text }`); a bad one is replaced silently. */
  write(view: WriteView): Promise<unknown>;
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

/** A negotiation input the engine cannot use (e.g. malformed evidence): code `negotiation.bad_input`. */
export class NegotiationInputError extends DealProofError<"negotiation.bad_input"> {
  override name = "NegotiationInputError";
  constructor(message: string, options?: DealProofErrorOptions) {
    super("negotiation.bad_input", message, options);
  }
}

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
