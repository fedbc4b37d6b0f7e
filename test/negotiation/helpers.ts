/**
 * Shared fixtures for the negotiation tests: a scripted agent, one standard deal, a deal seed,
 * a search for limit pairs that give one fixed outcome under the mechanism's price rule, and a
 * checked deal on a real check engine kept open for the buyer's agent's queries.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEther } from "ethers";
import { checks, type DisclosurePolicyInput } from "../../sdk/src/checks.ts";
import { runCheckStage } from "../../oracle/checks/stage.ts";
import { ClaudeAgent } from "../../oracle/negotiation/claude-agent.ts";
import { startFakeAnthropic, type Script } from "../../scripts/lib/fake-anthropic.ts";
import { negotiate, type NegotiationInput } from "../../oracle/negotiation/engine.ts";
import { decide } from "../../oracle/negotiation/mechanism.ts";
import { dealRandom } from "../../oracle/negotiation/random.ts";
import { seeded } from "../../scripts/lib/scenarios.ts";
import type {
  Agent,
  Evidence,
  PublicView,
  QueryAnswer,
  Terms,
  WriteView,
} from "../../oracle/negotiation/types.ts";

/** An agent whose judgement and messages are given (values or functions of the view). */
export class ScriptedAgent implements Agent {
  readonly kind = "strategy" as const;
  readonly name: string;
  readonly views: (PublicView | WriteView)[] = [];
  readonly #judge: unknown;
  readonly #write: unknown;
  constructor(name: string, judge: unknown, write: unknown = {}) {
    this.name = name;
    this.#judge = judge;
    this.#write = write;
  }
  policy() {
    return { scripted: this.name };
  }
  async judge(view: PublicView): Promise<unknown> {
    this.views.push(view);
    const v =
      typeof this.#judge === "function" ? (this.#judge as (v: PublicView) => unknown)(view) : this.#judge;
    if (v instanceof Error) throw v;
    return v;
  }
  async write(view: WriteView): Promise<unknown> {
    this.views.push(view);
    const v =
      typeof this.#write === "function" ? (this.#write as (v: WriteView) => unknown)(view) : this.#write;
    if (v instanceof Error) throw v;
    return v;
  }
}

export const TERMS: Terms = { accessScope: "full", durationDays: 365 };
export const BUDGET = parseEther("0.987654");
export const FLOOR = parseEther("0.612345");
export const ESCROW = parseEther("1.5");

export const seedOf = (s: string | number) =>
  new Uint8Array(createHash("sha256").update(`test:${s}`).digest());

export function run(buyer: Agent, seller: Agent, over: Partial<NegotiationInput> = {}) {
  return negotiate({
    dealId: 1n,
    escrowWei: ESCROW,
    buyer: { budgetWei: BUDGET, requirements: "10k labelled images" },
    seller: { floorWei: FLOOR, description: "COCO-style dataset" },
    facts: { sizeBytes: 1000, format: "csv", records: 10 },
    sellerIdentity: { domain: "acme-data.com", verified: true },
    agents: { buyer, seller },
    baseTerms: TERMS,
    randomSeed: seedOf("standard"),
    ...over,
  });
}

/**
 * `count` different (floor, budget) pairs for which the mechanism, with `seed`'s draw and the
 * buyer's value factor, sets the price `priceWei`: floors drawn below the price, each budget the
 * smallest that reaches it (found by bisection; the price is monotone in the budget).
 */
export function pairsForPrice(
  seed: Uint8Array,
  escrowWei: bigint,
  priceWei: bigint,
  count: number,
  valueFactor = 1,
): { floorWei: bigint; budgetWei: bigint }[] {
  const priceAt = (floorWei: bigint, budgetWei: bigint) => {
    const o = decide({
      escrowWei,
      seller: { floorWei },
      buyer: { budgetWei },
      candidates: [TERMS],
      valueFactor,
      random: dealRandom(seed, "mechanism"),
    });
    return o.agreed ? o.priceWei : -1n;
  };
  const rnd = seeded(99);
  const out: { floorWei: bigint; budgetWei: bigint }[] = [];
  const seen = new Set<string>();
  for (let tries = 0; out.length < count && tries < count * 20; tries++) {
    const floorWei = (priceWei * BigInt(Math.floor(rnd() * 1e6))) / 1_000_000n;
    let lo = priceWei;
    let hi = (escrowWei * 2n * 1_000_000n) / BigInt(Math.round(valueFactor * 1e6));
    if (priceAt(floorWei, hi) < priceWei) continue;
    while (hi - lo > 1n) {
      const mid = (lo + hi) / 2n;
      if (priceAt(floorWei, mid) >= priceWei) hi = mid;
      else lo = mid;
    }
    const key = `${floorWei}:${hi}`;
    if (priceAt(floorWei, hi) === priceWei && !seen.has(key)) {
      seen.add(key);
      out.push({ floorWei, budgetWei: hi });
    }
  }
  return out;
}

/** 100 rows: id, label cat (70) / dog (30), score id/100. */
function labelsCsv(): string {
  const lines = ["id,label,score"];
  for (let i = 1; i <= 100; i++) lines.push(`${i},${i <= 70 ? "cat" : "dog"},${i / 100}`);
  return `${lines.join("\n")}\n`;
}

export interface CheckedDeal {
  /** What the buyer's agent asked and was answered, in order. */
  asked: unknown[];
  answers: QueryAnswer[];
  queryData: (check: unknown) => Promise<QueryAnswer>;
  evidence: Evidence;
  close: () => Promise<void>;
}

/**
 * The check stage of a deal over `csv` (2 sealed checks: rowCount ≥ 50, a string `label`) with its
 * engine kept open, as the pipeline runs it: evidence for both agents, the runner for the buyer's.
 */
export async function checkedDeal(
  policy: DisclosurePolicyInput = {},
  csv = labelsCsv(),
): Promise<CheckedDeal> {
  const dir = await mkdtemp(join(tmpdir(), "dealproof-checked-deal-"));
  await writeFile(join(dir, "data.csv"), csv);
  const spec = checks().rowCount({ min: 50 }).column("label", "string").build();
  const r = await runCheckStage({
    dataPath: join(dir, "data.csv"),
    tmpDir: dir,
    format: "csv",
    spec,
    policy,
    keepOpen: true,
  });
  if (!r.verdict.ok || r.queries === undefined)
    throw new Error(`the fixture's checks failed: ${JSON.stringify(r.verdict)}`);
  const queries = r.queries;
  const asked: unknown[] = [];
  const answers: QueryAnswer[] = [];
  return {
    asked,
    answers,
    queryData: async (c) => {
      asked.push(c);
      const a = await queries.run(c);
      answers.push(a);
      return a;
    },
    evidence: {
      checks: r.report.results.map((x) => ({ id: x.id, required: x.required, passed: x.status === "pass" })),
      datasheetVerified: false,
    },
    close: async () => {
      queries.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The standard deal between two ClaudeAgents on the fake Messages API answering by `script`, with
 * `deal`'s evidence and query runner; the fake server and the deal's engine are closed after.
 */
export async function claudeDeal(script: Script, deal: CheckedDeal, over: Partial<NegotiationInput> = {}) {
  const fake = await startFakeAnthropic(script);
  try {
    const o = {
      apiKey: "sk-test-local",
      baseURL: fake.baseURL,
      timeoutMs: 5000,
      backoffMs: 5,
      maxBackoffMs: 20,
    };
    const r = await run(new ClaudeAgent(o), new ClaudeAgent(o), {
      evidence: deal.evidence,
      queryData: deal.queryData,
      ...over,
    });
    return { r, requests: fake.requests };
  } finally {
    await fake.close();
    await deal.close();
  }
}
