/**
 * `npm run bench:negotiation [-- --json] [--deals N] [--train N]`: what a party can learn.
 *
 * Over N random (budget, floor, escrow) triples (default 500) the built-in StrategyAgent
 * negotiates against itself; then the strongest attackers we could write — each knows the code,
 * its parameters, every public input and reads the transcript as a party does — estimate the
 * other side's reservation value, in both directions (buyer → floor, seller → budget):
 *  - inversion: re-runs the other agent's code with its randomness fixed at the median and
 *    solves (bisection) for the reservation that reproduces each observed offer;
 *  - abc-knn: approximate Bayesian computation — simulates `--train` deals from the same prior
 *    with the same code, and answers the densest ±1 % window (or the median) of the true values
 *    of the nearest transcripts in feature space;
 *  - bounds: the agreed price, or the other side's last position.
 * A deal leaks at 1 % (5 %) when the best attacker's estimate is within 1 % (5 %) of the escrow
 * of the truth; reported per direction, the maximum over all attackers and references (a
 * post-hoc best attacker), and separately for the transcript attackers alone; three reference
 * attackers use less than the transcript: prior-only (sees nothing),
 * agreement-only (its own value and "deal / no deal": what any mechanism that agrees exactly when
 * floor ≤ budget must reveal) and outcome-only (also the price). The same attackers run against
 * the pre-issue-14 strategy (legacy-strategy.ts) as a check that they are strong. Also reports
 * agreement rates (feasible: floor ≤ budget; infeasible), mean rounds and the surplus split.
 * With ANTHROPIC_API_KEY set it also runs Claude on the five scenarios. Benchmark, not test.
 */
import { createHash } from "node:crypto";
import { negotiate, type NegotiationResult } from "../../oracle/negotiation/engine.ts";
import { StrategyAgent } from "../../oracle/negotiation/strategy-agent.ts";
import { ClaudeAgent } from "../../oracle/negotiation/claude-agent.ts";
import { SCENARIOS, seeded, units } from "../../oracle/negotiation/scenarios.ts";
import type { Agent, AgentView, Role, TranscriptEntry } from "../../oracle/negotiation/types.ts";
import type { DealRandom } from "../../oracle/negotiation/random.ts";
import { LegacyStrategyAgent } from "./legacy-strategy.ts";

const argv = process.argv.slice(2);
const json = argv.includes("--json");
const intArg = (name: string, dflt: number) => {
  const i = argv.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v < 10) throw new Error(`${name} must be a whole number ≥ 10`);
  return v;
};
const DEALS = intArg("--deals", 500);
const TRAIN = intArg("--train", 8000);
const MAX_ROUNDS = 8;

interface Triple {
  escrow: bigint;
  budget: bigint;
  floor: bigint;
}

/**
 * The prior: escrow log-uniform in [0.05, 50] ETH, floor ∈ U[0.05, 1]·escrow, budget ∈
 * U[0.1, 0.8]·escrow — the buyer escrows at least 1.25 × its budget, as every demo scenario does
 * and deal:create recommends (an escrow equal to the budget tells the seller the budget's upper
 * bound is tight). The "harsh" prior lets the budget reach the escrow (budget ∈ U[0.1, 1]·escrow).
 */
const PRIORS = {
  main: {
    budgetMax: 0.8,
    text: "escrow log-uniform 0.05–50 ETH; budget U[0.1,0.8]·escrow; floor U[0.05,1]·escrow",
  },
  harsh: {
    budgetMax: 1,
    text: "escrow log-uniform 0.05–50 ETH; budget U[0.1,1]·escrow; floor U[0.05,1]·escrow",
  },
} as const;
type Prior = keyof typeof PRIORS;

function triples(n: number, seed: number, prior: Prior = "main"): Triple[] {
  const r = seeded(seed);
  const out: Triple[] = [];
  for (let i = 0; i < n; i++) {
    const e = Math.exp(Math.log(0.05) + r() * Math.log(1000));
    const escrow = BigInt(Math.round(e * 1e6)) * 10n ** 12n;
    const frac = (lo: number, hi: number) =>
      (escrow * BigInt(Math.round((lo + r() * (hi - lo)) * 1e9))) / 10n ** 9n;
    out.push({ escrow, budget: frac(0.1, PRIORS[prior].budgetMax), floor: frac(0.05, 1) });
  }
  return out;
}

const seedFor = (label: string, i: number) =>
  new Uint8Array(createHash("sha256").update(`bench:${label}:${i}`).digest());

function run(t: Triple, i: number, label: string, make: () => Agent) {
  return negotiate({
    dealId: BigInt(i + 1),
    escrowWei: t.escrow,
    buyer: { budgetWei: t.budget, requirements: "bench" },
    seller: { floorWei: t.floor, description: "bench" },
    facts: {},
    sellerIdentity: { domain: null, verified: false },
    agents: { buyer: make(), seller: make() },
    maxRounds: MAX_ROUNDS,
    randomSeed: seedFor(label, i),
  });
}

// ---------- what a party sees, and the attackers ----------

interface Observed {
  t: Triple;
  r: NegotiationResult;
}
type Direction = "buyerEstimatesFloor" | "sellerEstimatesBudget";
const attackerRole = (d: Direction): Role => (d === "buyerEstimatesFloor" ? "buyer" : "seller");
const truthOf = (o: Observed, d: Direction) => (d === "buyerEstimatesFloor" ? o.t.floor : o.t.budget);
const ownOf = (o: Observed, d: Direction) => (d === "buyerEstimatesFloor" ? o.t.budget : o.t.floor);
const f = (wei: bigint, e: bigint) => Number((wei * 10n ** 9n) / e) / 1e9;

function prices(tr: readonly TranscriptEntry[], role: string) {
  return tr
    .filter((e) => e.role === role && e.priceWei !== undefined && !e.refused)
    .map((e) => BigInt(e.priceWei!));
}

/** Features (fractions of the escrow) a party reads off its transcript and its own input. */
function features(o: Observed, d: Direction): number[] {
  const other = attackerRole(d) === "buyer" ? "seller" : "buyer";
  const theirs = prices(o.r.transcript, other);
  const mine = prices(o.r.transcript, attackerRole(d));
  const E = o.t.escrow;
  return [
    theirs.length ? f(theirs[0]!, E) : -1,
    theirs.length ? f(theirs.at(-1)!, E) : -1,
    o.r.agreed ? f(o.r.priceWei, E) : -1,
    f(ownOf(o, d), E),
    mine.length ? f(mine.at(-1)!, E) : -1,
    theirs.length / MAX_ROUNDS,
  ];
}

const FIXED_RANDOM: DealRandom = { uniform: () => 0.5, below: (_l, n) => n / 2n };

/** Solves for the reservation that makes the other agent's code reproduce each observed offer. */
async function inversion(o: Observed, d: Direction, make: () => Agent): Promise<number | undefined> {
  const role: Role = attackerRole(d) === "buyer" ? "seller" : "buyer";
  const agent = make();
  const estimates: number[] = [];
  const tr = o.r.transcript.filter((e) => !e.refused);
  for (let idx = 0; idx < tr.length; idx++) {
    const e = tr[idx]!;
    if (e.role !== role || e.priceWei === undefined || (e.action !== "offer" && e.action !== "counter"))
      continue;
    const observed = BigInt(e.priceWei);
    const priceAt = async (x: bigint) => {
      const view: AgentView = {
        role,
        round: e.round,
        maxRounds: MAX_ROUNDS,
        reservationWei: x,
        escrowWei: o.t.escrow,
        ownBrief: "bench",
        counterpartyText: "bench",
        facts: {},
        sellerIdentity: { domain: null, verified: false },
        baseTerms: { accessScope: "full", durationDays: 365 },
        history: tr.slice(0, idx),
        random: FIXED_RANDOM,
      };
      const m = await agent.move(view);
      return m.price === undefined ? undefined : BigInt(Math.round(Number(m.price) * 1e6)) * 10n ** 12n;
    };
    let lo = 0n;
    let hi = o.t.escrow;
    for (let it = 0; it < 48 && hi - lo > 1n; it++) {
      const mid = (lo + hi) / 2n;
      const p = await priceAt(mid);
      if (p === undefined) break;
      if (p < observed) lo = mid;
      else hi = mid;
    }
    estimates.push(f(hi, o.t.escrow));
  }
  if (estimates.length === 0) return undefined;
  estimates.sort((a, b) => a - b);
  return estimates[Math.floor(estimates.length / 2)];
}

/** What "deal or no deal" alone tells a party, given its own value: unavoidable for any mechanism. */
function agreementFeatures(o: Observed, d: Direction): number[] {
  return [f(ownOf(o, d), o.t.escrow), o.r.agreed ? 1 : -1];
}

/** What the outcome alone tells a party: its own value and the agreed price (or "no deal"). */
function outcomeFeatures(o: Observed, d: Direction): number[] {
  return [f(ownOf(o, d), o.t.escrow), o.r.agreed ? f(o.r.priceWei, o.t.escrow) : -1];
}

function knn(train: Observed[], d: Direction, feat = features) {
  const X = train.map((o) => feat(o, d));
  const Y = train.map((o) => f(truthOf(o, d), o.t.escrow));
  const K = Math.max(10, Math.min(60, Math.round(Math.sqrt(train.length))));
  return (o: Observed) => {
    const q = feat(o, d);
    const best: [number, number][] = [];
    for (let i = 0; i < X.length; i++) {
      let s = 0;
      for (let j = 0; j < q.length; j++) s += (X[i]![j]! - q[j]!) ** 2;
      if (best.length < K || s < best[best.length - 1]![0]) {
        best.push([s, Y[i]!]);
        best.sort((a, b) => a[0] - b[0]);
        if (best.length > K) best.pop();
      }
    }
    const ys = best.map((b) => b[1]).sort((a, b) => a - b);
    let mode = ys[0]!;
    let count = 0;
    for (const c of ys) {
      const x = c + 0.01; // window [c, c + 0.02]: centre c + 0.01
      const n = ys.filter((y) => Math.abs(y - x) <= 0.01).length;
      if (n > count) [mode, count] = [x, n];
    }
    return { median: ys[Math.floor(ys.length / 2)]!, mode };
  };
}

async function leakage(test: Observed[], train: Observed[], make: () => Agent) {
  const out: Record<string, unknown> = {};
  let worst1 = 0;
  let worst5 = 0;
  let transcriptWorst1 = 0;
  const refs: Record<string, number> = {};
  for (const d of ["buyerEstimatesFloor", "sellerEstimatesBudget"] as Direction[]) {
    const model = knn(train, d);
    const outcomeOnly = knn(train, d, outcomeFeatures);
    const agreementOnly = knn(train, d, agreementFeatures);
    const hits: Record<string, [number, number]> = {};
    const score = (name: string, est: number | undefined, o: Observed) => {
      const err = est === undefined ? Infinity : Math.abs(est - f(truthOf(o, d), o.t.escrow));
      const h = (hits[name] ??= [0, 0]);
      if (err <= 0.01) h[0]++;
      if (err <= 0.05) h[1]++;
    };
    // prior-only baseline: the single best constant guess for this prior, chosen on the training set
    const ys = train.map((o) => f(truthOf(o, d), o.t.escrow));
    let baseline = 0.5;
    let bc = -1;
    for (let x = 0; x <= 1; x += 0.005) {
      const c = ys.filter((y) => Math.abs(y - x) <= 0.01).length;
      if (c > bc) [baseline, bc] = [x, c];
    }
    for (const o of test) {
      const k = model(o);
      score("abc-knn-mode", k.mode, o);
      score("abc-knn-median", k.median, o);
      score("inversion", await inversion(o, d, make), o);
      const other = attackerRole(d) === "buyer" ? "seller" : "buyer";
      const theirs = prices(
        o.r.transcript.filter((e) => e.role !== "mediator"),
        other,
      );
      score("bound-price", o.r.agreed ? f(o.r.priceWei, o.t.escrow) : undefined, o);
      score("bound-last-position", theirs.length ? f(theirs.at(-1)!, o.t.escrow) : undefined, o);
      score("prior-only", baseline, o);
      score("outcome-only", outcomeOnly(o).mode, o);
      score("agreement-only", agreementOnly(o).mode, o);
    }
    const rates = Object.fromEntries(
      Object.entries(hits).map(([k, [h1, h5]]) => [
        k,
        { within1pct: h1 / test.length, within5pct: h5 / test.length },
      ]),
    );
    // every attacker counts, the references too (the price is in the transcript); the
    // transcript-only figure leaves out the references to show what the negotiation adds
    const all = Object.entries(rates);
    const onTranscript = all.filter(([k]) => !REFERENCES.includes(k));
    const best = (xs: typeof all, key: "within1pct" | "within5pct") =>
      xs.reduce((a, b) => (b[1][key] > a[1][key] ? b : a));
    const [b1, b5] = [best(all, "within1pct"), best(all, "within5pct")];
    out[d] = {
      within1pct: b1[1].within1pct,
      within5pct: b5[1].within5pct,
      bestAttacker1pct: b1[0],
      bestAttacker5pct: b5[0],
      transcriptAttackersWithin1pct: best(onTranscript, "within1pct")[1].within1pct,
      byAttacker: rates,
    };
    worst1 = Math.max(worst1, b1[1].within1pct);
    worst5 = Math.max(worst5, b5[1].within5pct);
    for (const k of ["outcome-only", "agreement-only"] as const)
      refs[k] = Math.max(refs[k] ?? 0, rates[k]!.within1pct);
    transcriptWorst1 = Math.max(transcriptWorst1, best(onTranscript, "within1pct")[1].within1pct);
  }
  return {
    leakWithin1pct: worst1,
    leakWithin5pct: worst5,
    transcriptAttackersLeakWithin1pct: transcriptWorst1,
    outcomeOnlyLeakWithin1pct: refs["outcome-only"]!,
    agreementOnlyLeakWithin1pct: refs["agreement-only"]!,
    leak: out,
  };
}

/** Reference attackers: what the prior, "deal or no deal", or the outcome alone give away. */
const REFERENCES = ["prior-only", "agreement-only", "outcome-only"];

function outcomes(obs: Observed[]) {
  let feasible = 0;
  let agreedFeasible = 0;
  let agreedInfeasible = 0;
  let mediated = 0;
  let roundsSum = 0;
  let sellerShareSum = 0;
  for (const { t, r } of obs) {
    const ok = t.floor <= t.budget;
    if (ok) feasible++;
    if (!r.agreed) continue;
    if (ok) agreedFeasible++;
    else agreedInfeasible++;
    if (r.transcript.some((e) => e.role === "mediator")) mediated++;
    roundsSum += Math.max(...r.transcript.map((e) => e.round));
    sellerShareSum +=
      t.budget > t.floor ? Number(((r.priceWei - t.floor) * 10n ** 9n) / (t.budget - t.floor)) / 1e9 : 0.5;
  }
  const agreed = agreedFeasible + agreedInfeasible;
  return {
    deals: obs.length,
    feasibleDeals: feasible,
    agreementRate: agreedFeasible / Math.max(feasible, 1),
    agreementRateFeasible: agreedFeasible / Math.max(feasible, 1),
    agreementRateInfeasible: agreedInfeasible / Math.max(obs.length - feasible, 1),
    mediatedShare: mediated / Math.max(agreed, 1),
    meanRounds: roundsSum / Math.max(agreed, 1),
    sellerSurplusShare: sellerShareSum / Math.max(agreed, 1),
    buyerSurplusShare: 1 - sellerShareSum / Math.max(agreed, 1),
  };
}

async function evaluate(label: string, make: () => Agent, prior: Prior = "main") {
  const test: Observed[] = [];
  for (const [i, t] of triples(DEALS, 2026, prior).entries())
    test.push({ t, r: await run(t, i, `${label}:test`, make) });
  const train: Observed[] = [];
  for (const [i, t] of triples(TRAIN, 77, prior).entries())
    train.push({ t, r: await run(t, i, `${label}:train`, make) });
  return { ...outcomes(test), ...(await leakage(test, train, make)) };
}

const started = Date.now();
const current = await evaluate("private", () => new StrategyAgent());
const legacy = await evaluate("legacy", () => new LegacyStrategyAgent());
const harsh = await evaluate("private-harsh", () => new StrategyAgent(), "harsh");
const result: Record<string, unknown> = {
  agent: new StrategyAgent().name,
  prior: PRIORS.main.text,
  maxRounds: MAX_ROUNDS,
  trainingDeals: TRAIN,
  ...current,
  legacy: {
    agent: new LegacyStrategyAgent().name,
    leakWithin1pct: legacy.leakWithin1pct,
    leakWithin5pct: legacy.leakWithin5pct,
    transcriptAttackersLeakWithin1pct: legacy.transcriptAttackersLeakWithin1pct,
    agreementRateFeasible: legacy.agreementRateFeasible,
    agreementRateInfeasible: legacy.agreementRateInfeasible,
    leak: legacy.leak,
  },
  harshPrior: {
    prior: PRIORS.harsh.text,
    leakWithin1pct: harsh.leakWithin1pct,
    leakWithin5pct: harsh.leakWithin5pct,
    transcriptAttackersLeakWithin1pct: harsh.transcriptAttackersLeakWithin1pct,
    outcomeOnlyLeakWithin1pct: harsh.outcomeOnlyLeakWithin1pct,
    agreementRateFeasible: harsh.agreementRateFeasible,
    agreementRateInfeasible: harsh.agreementRateInfeasible,
    leak: harsh.leak,
  },
  seconds: (Date.now() - started) / 1000,
};

const key = process.env.ANTHROPIC_API_KEY;
if (key !== undefined && key !== "") {
  const claude: Record<string, unknown>[] = [];
  for (const s of SCENARIOS) {
    const a = { buyer: new ClaudeAgent({ apiKey: key }), seller: new ClaudeAgent({ apiKey: key }) };
    const r = await negotiate({
      dealId: 1n,
      escrowWei: units(s.escrowUnits),
      buyer: { budgetWei: units(s.budgetUnits), requirements: s.buyerRequirements },
      seller: { floorWei: units(s.floorUnits), description: s.sellerDescription },
      facts: {},
      sellerIdentity: { domain: null, verified: false },
      agents: a,
      baseTerms: s.terms,
    });
    claude.push({
      scenario: s.name,
      agreed: r.agreed,
      rounds: Math.max(...r.transcript.map((e) => e.round)),
      calls: r.usage.buyer.calls + r.usage.seller.calls,
      inputTokens: r.usage.buyer.inputTokens + r.usage.seller.inputTokens,
      outputTokens: r.usage.buyer.outputTokens + r.usage.seller.outputTokens,
    });
  }
  result.claude = claude;
}

const pct = (x: unknown) => `${((x as number) * 100).toFixed(1)} %`;
if (json) console.log(JSON.stringify(result));
else {
  console.log(`${result.agent} vs itself: ${DEALS} random deals (${result.prior}), max ${MAX_ROUNDS} rounds`);
  console.log(
    `agreement (floor ≤ budget)   ${pct(current.agreementRateFeasible)} of ${current.feasibleDeals}`,
  );
  console.log(`agreement (floor > budget)   ${pct(current.agreementRateInfeasible)}`);
  console.log(
    `mediated share / mean rounds ${pct(current.mediatedShare)} / ${current.meanRounds.toFixed(2)}`,
  );
  console.log(
    `surplus split                seller ${pct(current.sellerSurplusShare)} / buyer ${pct(current.buyerSurplusShare)}`,
  );
  console.log(`leak within 1 % / 5 % of the escrow (best attacker, worst direction):`);
  console.log(`  private strategy           ${pct(current.leakWithin1pct)} / ${pct(current.leakWithin5pct)}`);
  console.log(
    `    of which from the outcome alone ${pct(current.outcomeOnlyLeakWithin1pct)} (deal/no deal alone ${pct(current.agreementOnlyLeakWithin1pct)}); best transcript attacker ${pct(current.transcriptAttackersLeakWithin1pct)}`,
  );
  console.log(`  legacy strategy (check)    ${pct(legacy.leakWithin1pct)} / ${pct(legacy.leakWithin5pct)}`);
  console.log(`  private, harsh prior       ${pct(harsh.leakWithin1pct)} / ${pct(harsh.leakWithin5pct)}`);
  for (const [name, l] of [
    ["private", current.leak],
    ["legacy", legacy.leak],
    ["harsh", harsh.leak],
  ] as const)
    for (const [d, v] of Object.entries(l)) {
      const x = v as { byAttacker: Record<string, { within1pct: number; within5pct: number }> };
      console.log(
        `  ${name} ${d}: ` +
          Object.entries(x.byAttacker)
            .map(([k, r]) => `${k} ${pct(r.within1pct)}/${pct(r.within5pct)}`)
            .join(", "),
      );
    }
  if (result.claude) console.table(result.claude);
  else console.log("(set ANTHROPIC_API_KEY to also run Claude on the five scenarios)");
}
