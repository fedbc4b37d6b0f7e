/**
 * The negotiation, outcome first (DESIGN §8, strongest form):
 *  1. judge — each agent (seller, then buyer) judges fit and terms from the public inputs only
 *     (it never sees a limit); the answer is validated, and a failed required check makes the
 *     buyer walk away whatever its agent said;
 *  2. decide — the mechanism (mechanism.ts) sets deal or not, price and terms from the sealed
 *     limits, the judgements and enclave randomness;
 *  3. render — the transcript's offers are rendered from that outcome, the escrow and enclave
 *     randomness alone (render.ts);
 *  4. write — each agent writes the messages for its own entries, seeing only that rendered
 *     transcript and the released facts (no sample row); a message that breaks the message rule
 *     (message-rule.ts) or carries a value of the data (data-text-guard.ts) is replaced by a
 *     built-in line, silently.
 * The buyer's agent may also run further checks while it judges (`queryData`, injected by the
 * pipeline: the seller's policy and check budget apply, capped at MAX_QUERIES_PER_JUDGEMENT); their
 * answers reach only the agent.
 * So the transcript a party sees is a function of the outcome, the public inputs and the deal's
 * seed; for a fixed outcome it is the same whatever the limits were. An agent's infrastructure
 * fault while judging (AgentUnavailableError) aborts the negotiation with that error; a fault
 * while writing falls back to the built-in lines (the outcome is already set).
 */
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { policyHash, termsOutput, transcriptOutput } from "./canonical.ts";
import { carriesData, releasedFacts, unreleasedData, type UnreleasedData } from "./data-text-guard.ts";
import { acceptableNote } from "./message-rule.ts";
import { decide, PRICE_RULES, TRANSCRIPT_LABEL, type Outcome, type PriceRule } from "./mechanism.ts";
import { dealRandom, freshSeed } from "./random.ts";
import { RENDER_PARAMS, renderSkeleton, type RenderOutcome } from "./render.ts";
import { builtInJudgement, builtInLine, evidenceFactor } from "./strategy-agent.ts";
import {
  AgentUnavailableError,
  emptyUsage,
  MAX_QUERIES_PER_JUDGEMENT,
  evidenceSchema,
  judgementSchema,
  NegotiationInputError,
  termsSchema,
  type AccessScope,
  type Agent,
  type Evidence,
  type Judgement,
  type PublicView,
  type QueryData,
  type Role,
  type Terms,
  type TranscriptEntry,
  type Usage,
  type WriteView,
} from "./types.ts";
import type { Hex } from "../../sdk/src/eip712.ts";

const DEFAULT_MAX_ROUNDS = 8;
const DEFAULT_TERMS: Terms = { accessScope: "full", durationDays: 365 };

export interface NegotiationInput {
  dealId: bigint;
  escrowWei: bigint;
  buyer: {
    budgetWei: bigint;
    requirements: string;
    /** The buyer's budget for a scope, where it differs from budgetWei. */
    budgetByScopeWei?: Partial<Record<AccessScope, bigint>>;
  };
  seller: {
    floorWei: bigint;
    description: string;
    /** The seller's floor for a scope, where it differs from floorWei. */
    floorByScopeWei?: Partial<Record<AccessScope, bigint>>;
    /** Posted-price mode: the seller names the price; the buyer's budget and the checks decide. */
    postedPriceWei?: bigint;
  };
  facts: Readonly<Record<string, unknown>>;
  sellerIdentity: { domain: string | null; verified: boolean };
  /** The data checks' results, when the buyer asked for checks (both sides may see them). */
  evidence?: Evidence;
  /** Further checks for the buyer's agent while it judges (the pipeline's, under the seller's policy). */
  queryData?: QueryData;
  agents: { buyer: Agent; seller: Agent };
  /** Upper bound on the rendered rounds (1..50; rendered deals take 3–8 rounds within it). */
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
  /** How the price was set, in one sentence (also in the terms and the transcript). */
  priceRule: string;
  usage: { buyer: Usage; seller: Usage };
}

interface UsageReporting {
  usage?(): Usage;
}

const FALLBACK_WALK_AWAY: Record<Role, string> = {
  buyer: "The data does not fit our requirements, so we walk away.",
  seller: "I will not sell under these terms, so I decline.",
};

async function judgeOf(
  agent: Agent,
  view: PublicView,
  ownLimits: readonly bigint[],
  data: UnreleasedData,
): Promise<Judgement> {
  let raw: unknown;
  try {
    raw = await agent.judge(view);
  } catch (e) {
    if (e instanceof AgentUnavailableError)
      throw new AgentUnavailableError(`the ${view.role}'s agent is unavailable: ${e.message}`, view.role);
    raw = undefined; // a bug in the agent: the built-in judgement stands, nothing is shown
  }
  const parsed = judgementSchema.safeParse(raw);
  const j = parsed.success ? parsed.data : builtInJudgement(view);
  // checks decide in code: a failed required check is a walk-away whatever the agent said
  const checks = view.role === "buyer" ? evidenceFactor(view) : { walkAway: false, factor: 1 };
  const walkAway = j.walkAway || checks.walkAway;
  const shown = acceptableNote(j.message, [], ownLimits, view.escrowWei);
  const note =
    (shown === undefined || carriesData([shown], data) ? undefined : shown) ??
    (checks.walkAway ? builtInJudgement(view).message : FALLBACK_WALK_AWAY[view.role]);
  return {
    walkAway,
    valueFactor: Math.min(j.valueFactor, checks.factor),
    terms: j.terms,
    message: walkAway ? note : "",
  };
}

/** The runner with the per-judgement cap in code, whatever the agent does. */
function capped(q: QueryData): QueryData {
  let n = 0;
  return async (check) =>
    ++n > MAX_QUERIES_PER_JUDGEMENT ? { refused: "query.turn_budget_spent" } : q(check);
}

function withExtras(t: Judgement["terms"], base: Terms): Terms {
  return base.extras === undefined ? { ...t } : { ...t, extras: base.extras };
}

function reasonFor(o: Outcome | { walkAway: Role; message: string }): string {
  if ("walkAway" in o) return `the ${o.walkAway} walked away: ${o.message}`;
  if (o.agreed) return "agreed at the mechanism's price";
  return o.code === "no-overlap"
    ? "no overlap: the mechanism found no price both limits allow"
    : "no deal: the posted price is above what the buyer's sealed budget allows";
}

export async function negotiate(input: NegotiationInput): Promise<NegotiationResult> {
  const maxRounds = input.maxRounds ?? DEFAULT_MAX_ROUNDS;
  if (!Number.isInteger(maxRounds) || maxRounds < 1 || maxRounds > 50)
    throw new Error("maxRounds must be 1..50");
  const parsedTerms = termsSchema.safeParse(input.baseTerms ?? DEFAULT_TERMS);
  if (!parsedTerms.success)
    throw new NegotiationInputError(`the deal's terms are invalid: ${z.prettifyError(parsedTerms.error)}`, {
      hint: "terms are { accessScope, durationDays 1..3650, extras? } (see oracle/negotiation/types.ts)",
    });
  const baseTerms = parsedTerms.data;
  const checked = input.evidence === undefined ? undefined : evidenceSchema.safeParse(input.evidence);
  if (checked !== undefined && !checked.success)
    throw new NegotiationInputError(`the data evidence is malformed: ${z.prettifyError(checked.error)}`, {
      hint: "pass evidence as { checks: { id, required, passed, value? }[], datasheetVerified }",
    });
  const evidence = checked?.data;
  const seed = input.randomSeed ?? freshSeed();
  const E = input.escrowWei;
  const limits: Record<Role, bigint[]> = {
    buyer: [input.buyer.budgetWei, ...Object.values(input.buyer.budgetByScopeWei ?? {})],
    seller: [
      input.seller.floorWei,
      ...Object.values(input.seller.floorByScopeWei ?? {}),
      ...(input.seller.postedPriceWei === undefined ? [] : [input.seller.postedPriceWei]),
    ],
  };
  const view = (role: Role): PublicView => ({
    role,
    escrowWei: E,
    ownBrief: role === "buyer" ? input.buyer.requirements : input.seller.description,
    counterpartyText: role === "buyer" ? input.seller.description : input.buyer.requirements,
    facts: input.facts,
    sellerIdentity: input.sellerIdentity,
    baseTerms,
    ...(evidence === undefined ? {} : { evidence }),
    ...(input.notAfterMs === undefined ? {} : { notAfterMs: input.notAfterMs }),
  });

  // what both agents saw of the data and no policy releases: no message may carry it
  const data = unreleasedData(input.facts);

  // 1. judge (seller first: it speaks first)
  const seller = await judgeOf(input.agents.seller, view("seller"), limits.seller, data);
  const queryData = input.queryData === undefined ? undefined : capped(input.queryData);
  const buyer = await judgeOf(
    input.agents.buyer,
    { ...view("buyer"), ...(queryData === undefined ? {} : { queryData }) },
    limits.buyer,
    data,
  );

  // 2. decide
  const candidates: Terms[] = [];
  for (const t of [withExtras(buyer.terms, baseTerms), withExtras(seller.terms, baseTerms), baseTerms])
    if (!candidates.some((c) => isDeepStrictEqual(c, t))) candidates.push(t);
  const rule: PriceRule = input.seller.postedPriceWei === undefined ? "randomized-split" : "posted-price";
  let outcome: Outcome | { walkAway: Role; message: string };
  if (seller.walkAway) outcome = { walkAway: "seller", message: seller.message };
  else if (buyer.walkAway) outcome = { walkAway: "buyer", message: buyer.message };
  else
    outcome = decide({
      escrowWei: E,
      seller: input.seller,
      buyer: input.buyer,
      candidates,
      valueFactor: buyer.valueFactor,
      random: dealRandom(seed, "mechanism"),
    });
  // re-check the agreement against the limits for its scope and the escrow, independently
  if ("agreed" in outcome && outcome.agreed) {
    const p = outcome.priceWei;
    const scope = outcome.terms.accessScope;
    const floor = input.seller.floorByScopeWei?.[scope] ?? input.seller.floorWei;
    const budget = input.buyer.budgetByScopeWei?.[scope] ?? input.buyer.budgetWei;
    if (!(p > 0n && p <= E && p <= budget && (rule === "posted-price" || p >= floor)))
      throw new Error("the mechanism's price broke a limit"); // a bug, never a deal
  }

  // 3. render from the outcome alone
  const shownTerms = "agreed" in outcome && outcome.agreed ? outcome.terms : candidates[0]!;
  const renderOutcome: RenderOutcome =
    "walkAway" in outcome
      ? { kind: "walk-away", by: outcome.walkAway, terms: shownTerms }
      : outcome.agreed
        ? { kind: "deal", priceWei: outcome.priceWei, terms: outcome.terms, posted: rule === "posted-price" }
        : {
            kind: "no-overlap",
            terms: shownTerms,
            ...(input.seller.postedPriceWei === undefined
              ? {}
              : { postedPriceWei: input.seller.postedPriceWei }),
          };
  const entries = renderSkeleton({
    outcome: renderOutcome,
    escrowWei: E,
    maxRounds,
    random: dealRandom(seed, "render"),
  });
  if ("walkAway" in outcome) {
    const reject = entries.find((e) => e.action === "reject")!;
    reject.note = outcome.message;
  }

  // 4. write: each side's messages for its own entries, seeing only the rendered transcript
  const agreed = "agreed" in outcome && outcome.agreed;
  for (const role of ["seller", "buyer"] as const) {
    const w: WriteView = {
      ...view(role),
      facts: releasedFacts(input.facts), // the writer never sees a row
      entries: entries.map((e) => ({ ...e })),
      agreed,
      random: dealRandom(seed, `lines:${role}`),
    };
    let raw: unknown;
    try {
      raw = await input.agents[role].write(w);
    } catch {
      raw = undefined; // model unavailable or failing after the outcome is set: built-in lines
    }
    const texts = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
    const own = new Map<number, string>(); // entry index → the agent's message, where it passes
    entries.forEach((e, i) => {
      if (e.role !== role || e.note !== undefined) return;
      const quoted = entries
        .slice(0, i + 1)
        .flatMap((x) => (x.priceWei === undefined ? [] : [BigInt(x.priceWei)]));
      const shown = acceptableNote(texts[String(e.round)], quoted, limits[role], E);
      if (shown !== undefined && !carriesData([shown], data)) own.set(i, shown);
    });
    // a value split across its messages: none of them is shown
    if (carriesData([...own.values()], data)) own.clear();
    entries.forEach((e, i) => {
      if (e.role === role && e.note === undefined) e.note = own.get(i) ?? builtInLine(w, i);
    });
  }
  for (const e of entries) input.onMove?.(e);

  const priceWei = agreed ? (outcome as { priceWei: bigint }).priceWei : 0n;
  const terms = agreed ? (outcome as { terms: Terms }).terms : null;
  const reason = reasonFor(outcome);
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
    policyHash: policyHash(input.agents.buyer.policy(), input.agents.seller.policy(), {
      render: RENDER_PARAMS,
      priceRule: PRICE_RULES[rule],
    }),
    sellerIdentity: input.sellerIdentity,
    dataFacts: input.facts,
    ...(input.sellerDkim === undefined ? {} : { sellerDkim: input.sellerDkim }),
    priceRule: PRICE_RULES[rule],
    transcriptIs: TRANSCRIPT_LABEL,
    ...(agreed ? {} : { reason }),
  });
  const usageOf = (a: Agent) => (a as Agent & UsageReporting).usage?.() ?? emptyUsage();
  return {
    agreed,
    priceWei,
    terms,
    ...t,
    transcript: entries,
    ...transcriptOutput(input.dealId, entries, PRICE_RULES[rule]),
    agents: { buyer: input.agents.buyer.name, seller: input.agents.seller.name },
    reason,
    priceRule: PRICE_RULES[rule],
    usage: { buyer: usageOf(input.agents.buyer), seller: usageOf(input.agents.seller) },
  };
}
