/**
 * `npm run bench:negotiation [-- --json] [--deals N] [--train N]`: what a party can learn, and
 * what the mechanism does to incentives.
 *
 * Over N random (escrow, budget, floor) triples (default 3,000; `--train` 12,000 more for the attackers) the built-in agents negotiate
 * (oracle/negotiation/engine.ts). Attackers estimate the other side's limit (as a fraction of the
 * escrow) in both directions (buyer → floor, seller → budget), each knowing the code and the
 * prior and reading the transcript as a party does:
 *  - reference: the Bayes-optimal outcome-only attacker — the exact posterior over a grid of the
 *    prior given its own value, deal / no deal and the price (the mechanism's triangular price
 *    density), answering the window of ±1 % (±5 %) of the escrow with the most posterior mass;
 *  - likelihood: that posterior times a likelihood of the transcript's features (the other
 *    side's opening, its last offer and the round count, relative to the price and the escrow)
 *    given the limit, learned from `--train` deals simulated with the same code and prior;
 *  - abc-knn: the nearest simulated transcripts (own value, outcome and features) vote.
 * A deal leaks at 1 % (5 %) when the estimate is within 1 % (5 %) of the escrow of the truth.
 * leakExcessWithinX = best transcript attacker − the reference, in the worse direction, with a
 * 95 % upper bound from a paired bootstrap (the best attacker re-chosen in every resample).
 * Also: agreement rates (feasible: floor ≤ budget; infeasible), mean rounds, the surplus split,
 * mediatedShare (agreed deals whose transcript ends in a price neither side had offered),
 * convergedShare (agreed deals whose asks fall and bids rise to the price, ending in an accept
 * at it), and the expected surplus gain from sealing a limit shaded by 10 % (buyer: 0.9 × budget;
 * seller: 1.1 × floor), for the randomized split and for the posted price.
 * With ANTHROPIC_API_KEY set it also runs Claude on the five scenarios. Benchmark, not test.
 */
import { createHash } from "node:crypto";
import { negotiate, type NegotiationResult } from "../../oracle/negotiation/engine.ts";
import { decide } from "../../oracle/negotiation/mechanism.ts";
import { dealRandom } from "../../oracle/negotiation/random.ts";
import { StrategyAgent } from "../../oracle/negotiation/strategy-agent.ts";
import { ClaudeAgent } from "../../oracle/negotiation/claude-agent.ts";
import { SCENARIOS, seeded, units } from "../lib/scenarios.ts";
import type { Agent, Role, TranscriptEntry } from "../../oracle/negotiation/types.ts";

const argv = process.argv.slice(2);
if (argv.includes("--help") || argv.includes("-h")) {
  console.log(`npm run bench:negotiation [-- --json] [--deals N] [--train N]

  --deals N   test deals (default 3000, N ≥ 10)
  --train N   simulated deals the learned attackers train on (default 12000, N ≥ 10)
  --json      print the figures as one JSON object
With ANTHROPIC_API_KEY set it also runs Claude on the five demo scenarios.`);
  process.exit(0);
}
const json = argv.includes("--json");
const intArg = (name: string, dflt: number) => {
  const i = argv.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v < 10) throw new Error(`${name} must be a whole number ≥ 10`);
  return v;
};
const DEALS = intArg("--deals", 3000);
const TRAIN = intArg("--train", 12000);
const MAX_ROUNDS = 8;
const TERMS = { accessScope: "full", durationDays: 365 } as const;

/**
 * The prior: escrow log-uniform in [0.05, 50] ETH, floor ∈ U[0.05, 1]·escrow, budget ∈
 * U[0.1, 0.8]·escrow (the buyer escrows at least 1.25 × its budget, as every demo scenario does).
 */
const PRIOR = { floor: [0.05, 1], budget: [0.1, 0.8] } as const;
const PRIOR_TEXT = "escrow log-uniform 0.05–50 ETH; budget U[0.1,0.8]·escrow; floor U[0.05,1]·escrow";

interface Triple {
  escrow: bigint;
  budget: bigint;
  floor: bigint;
}

function triples(n: number, seed: number): Triple[] {
  const r = seeded(seed);
  const out: Triple[] = [];
  for (let i = 0; i < n; i++) {
    const e = Math.exp(Math.log(0.05) + r() * Math.log(1000));
    const escrow = BigInt(Math.round(e * 1e6)) * 10n ** 12n;
    const frac = ([lo, hi]: readonly [number, number]) =>
      (escrow * BigInt(Math.round((lo + r() * (hi - lo)) * 1e9))) / 10n ** 9n;
    out.push({ escrow, budget: frac(PRIOR.budget), floor: frac(PRIOR.floor) });
  }
  return out;
}

const seedFor = (label: string, i: number) =>
  new Uint8Array(createHash("sha256").update(`bench:${label}:${i}`).digest());

function run(t: Triple, i: number, label: string, make: () => Agent = () => new StrategyAgent()) {
  return negotiate({
    dealId: BigInt(i + 1),
    escrowWei: t.escrow,
    buyer: { budgetWei: t.budget, requirements: "bench" },
    seller: { floorWei: t.floor, description: "bench" },
    facts: {},
    sellerIdentity: { domain: null, verified: false },
    agents: { buyer: make(), seller: make() },
    maxRounds: MAX_ROUNDS,
    baseTerms: TERMS,
    randomSeed: seedFor(label, i),
  });
}

interface Observed {
  t: Triple;
  r: NegotiationResult;
}
type Direction = "buyerEstimatesFloor" | "sellerEstimatesBudget";
const DIRECTIONS: Direction[] = ["buyerEstimatesFloor", "sellerEstimatesBudget"];
const fr = (wei: bigint, e: bigint) => Number((wei * 10n ** 9n) / e) / 1e9;
const truthOf = (o: Observed, d: Direction) =>
  fr(d === "buyerEstimatesFloor" ? o.t.floor : o.t.budget, o.t.escrow);
const ownOf = (o: Observed, d: Direction) =>
  fr(d === "buyerEstimatesFloor" ? o.t.budget : o.t.floor, o.t.escrow);
const priceOf = (o: Observed) => (o.r.agreed ? fr(o.r.priceWei, o.t.escrow) : -1);

function offers(tr: readonly TranscriptEntry[], role: Role) {
  return tr
    .filter((e) => e.role === role && e.action !== "accept" && e.priceWei !== undefined)
    .map((e) => BigInt(e.priceWei!));
}

/**
 * The check that the attackers can see a leak: when set, the other side's first offer is replaced
 * by its limit plus uniform noise of ±2 % of the escrow (as the pre-issue-14 agent's did), and the
 * attack is run again on the same deals.
 */
let plantLeak = false;

/**
 * What a party reads off the transcript beyond the outcome, each in [0, 1]: for a deal, how far
 * the other side's first and second-to-last offers sit from the price as a fraction of the room
 * on their side (seller: (ask − p)/(E − p); buyer: (p − bid)/p), so that any dependence on the
 * limit beyond the price shows; with no deal, the offers as fractions of the escrow; and the
 * number of rounds.
 */
function features(o: Observed, d: Direction): number[] {
  const other: Role = d === "buyerEstimatesFloor" ? "seller" : "buyer";
  const theirs = offers(o.r.transcript, other);
  const E = o.t.escrow;
  const p = o.r.priceWei;
  const rel = (x: bigint) => {
    if (!o.r.agreed) return fr(x, E);
    if (other === "seller") return E === p ? 0 : fr(x - p, E - p);
    return p === 0n ? 0 : fr(p - x, p);
  };
  const noise = (parseInt(o.r.transcriptHash.slice(2, 10), 16) / 2 ** 32 - 0.5) * 0.04;
  return [
    plantLeak ? truthOf(o, d) + noise : theirs.length ? rel(theirs[0]!) : -1,
    theirs.length > 1 ? rel(theirs.at(-2)!) : -1,
    o.r.transcript.at(-1)!.round / MAX_ROUNDS,
  ];
}

// ---------- the Bayes-optimal outcome-only posterior over a grid ----------

const GRID = 1000;
const tri = (t: number) => (t < 0 || t > 1 ? 0 : t < 0.5 ? 4 * t : 4 * (1 - t));

/** Grid points and posterior weights of the other side's limit given own value and outcome. */
function outcomePosterior(o: Observed, d: Direction): { x: number[]; w: number[] } {
  const [lo, hi] = d === "buyerEstimatesFloor" ? PRIOR.floor : PRIOR.budget;
  const own = ownOf(o, d);
  const p = priceOf(o);
  const x: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < GRID; i++) {
    const v = lo + ((i + 0.5) / GRID) * (hi - lo);
    const f = d === "buyerEstimatesFloor" ? v : own;
    const b = Math.min(1, d === "buyerEstimatesFloor" ? own : v);
    let l: number;
    if (!o.r.agreed) l = f > b ? 1 : 0;
    else l = f <= b && b > f ? tri((p - f) / (b - f)) / (b - f) : 0;
    x.push(v);
    w.push(l);
  }
  return { x, w };
}

/** The centre of the window of half-width `half` holding the most posterior mass. */
function bestWindow(x: number[], w: number[], half: number): number {
  let best = x[0]!;
  let bestMass = -1;
  let j0 = 0;
  let j1 = 0;
  let mass = 0;
  for (let i = 0; i < x.length; i++) {
    while (j1 < x.length && x[j1]! <= x[i]! + 2 * half) mass += w[j1++]!;
    while (x[j0]! < x[i]!) mass -= w[j0++]!;
    if (mass > bestMass) {
      bestMass = mass;
      best = x[i]! + half;
    }
  }
  return best;
}

// ---------- the transcript attackers ----------

const BINS = 25;
/** The kNN attacker uses the first 4,000 simulated deals (it is the weaker attacker; this bounds its cost). */
const KNN_TRAIN = 4000;
const FEATURE_BINS = 41;

/** P(χ²_df > x), by the Wilson–Hilferty approximation. */
function chiSquareTail(x: number, df: number): number {
  const z = (Math.cbrt(x / df) - (1 - 2 / (9 * df))) / Math.sqrt(2 / (9 * df));
  // standard normal tail (Abramowitz & Stegun 26.2.17)
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const tail =
    (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI)) *
    t *
    (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z >= 0 ? tail : 1 - tail;
}

/**
 * P(feature bin | limit bin, deal or not) from simulated deals, Laplace-smoothed — for each
 * feature that a χ² test of independence from the limit (given deal or not) finds informative at
 * p < 0.001 on the simulated deals; features it does not are left out (a factor of 1), as an
 * attacker fitting its model would: using pure noise only costs it hits.
 */
function learnLikelihood(train: Observed[], d: Direction) {
  const [lo, hi] = d === "buyerEstimatesFloor" ? PRIOR.floor : PRIOR.budget;
  const limitBin = (v: number) => Math.min(BINS - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * BINS)));
  const featBin = (v: number) =>
    v < 0 ? 0 : 1 + Math.min(FEATURE_BINS - 2, Math.max(0, Math.floor(v * (FEATURE_BINS - 1))));
  const counts = new Map<string, number>();
  const totals = new Map<string, number>();
  const add = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);
  for (const o of train) {
    const lb = limitBin(truthOf(o, d));
    features(o, d).forEach((v, k) => {
      const fb = featBin(v);
      add(counts, `${o.r.agreed}:${k}:${lb}:${fb}`);
      add(totals, `${o.r.agreed}:${k}:${lb}`);
      add(totals, `${o.r.agreed}:${k}:*:${fb}`);
      add(totals, `${o.r.agreed}:${k}`);
    });
  }
  const informative = new Set<string>();
  for (const agreed of [true, false])
    for (let k = 0; k < features({ t: train[0]!.t, r: train[0]!.r }, d).length; k++) {
      const n = totals.get(`${agreed}:${k}`) ?? 0;
      if (n === 0) continue;
      let chi = 0;
      let rows = 0;
      let cols = 0;
      for (let lb = 0; lb < BINS; lb++) {
        const r = totals.get(`${agreed}:${k}:${lb}`) ?? 0;
        if (r > 0) rows++;
        for (let fb = 0; fb < FEATURE_BINS; fb++) {
          const c = totals.get(`${agreed}:${k}:*:${fb}`) ?? 0;
          if (lb === 0 && c > 0) cols++;
          const expected = (r * c) / n;
          if (expected > 0)
            chi += ((counts.get(`${agreed}:${k}:${lb}:${fb}`) ?? 0) - expected) ** 2 / expected;
        }
      }
      const df = Math.max(1, (rows - 1) * (cols - 1));
      if (chiSquareTail(chi, df) < 0.001) informative.add(`${agreed}:${k}`);
    }
  return {
    informative: [...informative],
    factor: (o: Observed, v: number) => {
      const lb = limitBin(v);
      let l = 1;
      features(o, d).forEach((fv, k) => {
        if (!informative.has(`${o.r.agreed}:${k}`)) return;
        const c = counts.get(`${o.r.agreed}:${k}:${lb}:${featBin(fv)}`) ?? 0;
        const n = totals.get(`${o.r.agreed}:${k}:${lb}`) ?? 0;
        l *= (c + 1) / (n + FEATURE_BINS);
      });
      return l;
    },
  };
}

/** The true values of the nearest simulated deals (own value, outcome, features), memoised per deal. */
const neighbourCache = new Map<string, number[]>();
function knn(train: Observed[], d: Direction) {
  const feat = (o: Observed) => [ownOf(o, d), priceOf(o), ...features(o, d)];
  const X = train.map(feat);
  const Y = train.map((o) => truthOf(o, d));
  const K = Math.max(10, Math.min(60, Math.round(Math.sqrt(train.length))));
  return (o: Observed, half: number) => {
    const key = `${d}:${o.r.transcriptHash}:${o.t.floor}:${o.t.budget}`;
    let ys = neighbourCache.get(key);
    if (ys === undefined) {
      const q = feat(o);
      const dist = X.map((row, i) => [row.reduce((s, v, j) => s + (v - q[j]!) ** 2, 0), Y[i]!] as const);
      dist.sort((a, b) => a[0] - b[0]);
      ys = dist
        .slice(0, K)
        .map((e) => e[1])
        .sort((a, b) => a - b);
      neighbourCache.set(key, ys);
    }
    return bestWindow(
      ys,
      ys.map(() => 1),
      half,
    );
  };
}

interface Hits {
  /** The transcript features the likelihood attacker found informative (χ², p < 0.001). */
  informative: string[];
  reference: number[];
  likelihood: number[];
  knn: number[];
}

function attack(test: Observed[], train: Observed[], d: Direction, half: number): Hits {
  const lik = learnLikelihood(train, d);
  const nn = knn(train.slice(0, KNN_TRAIN), d);
  const hits: Hits = { reference: [], likelihood: [], knn: [], informative: lik.informative };
  for (const o of test) {
    const truth = truthOf(o, d);
    const { x, w } = outcomePosterior(o, d);
    const hit = (est: number) => (Math.abs(est - truth) <= half ? 1 : 0);
    hits.reference.push(hit(bestWindow(x, w, half)));
    hits.likelihood.push(
      hit(
        bestWindow(
          x,
          w.map((wi, i) => wi * lik.factor(o, x[i]!)),
          half,
        ),
      ),
    );
    hits.knn.push(hit(nn(o, half)));
  }
  return hits;
}

const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Best transcript attacker − reference, and its paired-bootstrap 95 % upper bound. */
function excess(h: Hits, seed: number): { best: number; excess: number; ciHigh: number } {
  const n = h.reference.length;
  const best = Math.max(mean(h.likelihood), mean(h.knn));
  const r = seeded(seed);
  const draws: number[] = [];
  for (let b = 0; b < 1000; b++) {
    let ref = 0;
    let lik = 0;
    let nn = 0;
    for (let i = 0; i < n; i++) {
      const j = Math.floor(r() * n);
      ref += h.reference[j]!;
      lik += h.likelihood[j]!;
      nn += h.knn[j]!;
    }
    draws.push((Math.max(lik, nn) - ref) / n);
  }
  draws.sort((a, b) => a - b);
  return { best, excess: best - mean(h.reference), ciHigh: draws[Math.floor(0.975 * draws.length)]! };
}

// ---------- incentives: the mechanism alone, truthful vs a 10 % shaded limit ----------

function shadingGain(ts: Triple[], side: Role, posted: boolean): number {
  let truthful = 0;
  let shaded = 0;
  ts.forEach((t, i) => {
    const outcome = (floor: bigint, budget: bigint) =>
      decide({
        escrowWei: t.escrow,
        // posted price: the seller posts the price the split would give at its true floor (a fixed
        // price per deal), and the buyer's budget only decides deal or not
        seller: posted ? { floorWei: floor, postedPriceWei: postedFor(t, i) } : { floorWei: floor },
        buyer: { budgetWei: budget },
        candidates: [TERMS],
        valueFactor: 1,
        random: dealRandom(seedFor("shade", i), "mechanism"),
      });
    const surplus = (o: ReturnType<typeof outcome>) =>
      !o.agreed
        ? 0
        : side === "buyer"
          ? fr(t.budget - o.priceWei, t.escrow)
          : fr(o.priceWei - t.floor, t.escrow);
    truthful += surplus(outcome(t.floor, t.budget));
    shaded += surplus(
      side === "buyer" ? outcome(t.floor, (t.budget * 9n) / 10n) : outcome((t.floor * 11n) / 10n, t.budget),
    );
  });
  return truthful === 0 ? 0 : shaded / truthful - 1;
}

function postedFor(t: Triple, i: number): bigint {
  const o = decide({
    escrowWei: t.escrow,
    seller: { floorWei: t.floor },
    buyer: { budgetWei: t.escrow },
    candidates: [TERMS],
    valueFactor: 1,
    random: dealRandom(seedFor("posted", i), "mechanism"),
  });
  return o.agreed ? o.priceWei : t.escrow + 1n;
}

// ---------- run ----------

const started = Date.now();
const test: Observed[] = [];
for (const [i, t] of triples(DEALS, 1).entries()) test.push({ t, r: await run(t, i, "test") });
const train: Observed[] = [];
for (const [i, t] of triples(TRAIN, 2).entries()) train.push({ t, r: await run(t, i, "train") });

const feasible = test.filter((o) => o.t.floor <= o.t.budget);
const infeasible = test.filter((o) => o.t.floor > o.t.budget);
const agreed = test.filter((o) => o.r.agreed);

const converged = (o: Observed) => {
  const tr = o.r.transcript;
  const p = o.r.priceWei;
  const asks = offers(tr, "seller");
  const bids = offers(tr, "buyer");
  const monotone =
    asks.every((a, i) => a >= p && (i === 0 || a <= asks[i - 1]!)) &&
    bids.every((b, i) => b <= p && (i === 0 || b >= bids[i - 1]!));
  const last = tr.at(-1)!;
  return monotone && asks.at(-1) === p && last.action === "accept" && last.priceWei === p.toString();
};
/** The accepted price is not one the other side had offered: a price set by a jump. */
const mediated = (o: Observed) => {
  const last = o.r.transcript.at(-1)!;
  const offeredBefore = o.r.transcript
    .slice(0, -1)
    .some((e) => e.role !== last.role && e.priceWei === last.priceWei);
  return last.action !== "accept" || !offeredBefore;
};

const leak: Record<string, unknown> = {};
const summary = {
  leakWithin1pct: 0,
  leakWithin5pct: 0,
  outcomeOnlyLeakWithin1pct: 0,
  outcomeOnlyLeakWithin5pct: 0,
};
const excessOut = { within1: { excess: -1, ciHigh: -1 }, within5: { excess: -1, ciHigh: -1 } };
for (const [label, half] of [
  ["within1", 0.01],
  ["within5", 0.05],
] as const) {
  for (const [k, d] of DIRECTIONS.entries()) {
    const h = attack(test, train, d, half);
    const e = excess(h, 7 + k);
    leak[`${d}:${label}`] = {
      reference: mean(h.reference),
      likelihood: mean(h.likelihood),
      knn: mean(h.knn),
      informativeFeatures: h.informative,
      ...e,
    };
    if (e.ciHigh > excessOut[label].ciHigh || excessOut[label].ciHigh === -1)
      excessOut[label] = { excess: e.excess, ciHigh: e.ciHigh };
    const ref = mean(h.reference);
    if (label === "within1") {
      summary.leakWithin1pct = Math.max(summary.leakWithin1pct, e.best);
      summary.outcomeOnlyLeakWithin1pct = Math.max(summary.outcomeOnlyLeakWithin1pct, ref);
    } else {
      summary.leakWithin5pct = Math.max(summary.leakWithin5pct, e.best);
      summary.outcomeOnlyLeakWithin5pct = Math.max(summary.outcomeOnlyLeakWithin5pct, ref);
    }
  }
}

// the attackers' sanity check: a planted leak must show as a large excess
plantLeak = true;
neighbourCache.clear();
const planted = excess(attack(test, train, "sellerEstimatesBudget", 0.01), 9);
plantLeak = false;

const shadeTriples = triples(Math.max(DEALS, 2000), 3);
const split = agreed.map(
  (o) => fr(o.r.priceWei - o.t.floor, o.t.escrow) / fr(o.t.budget - o.t.floor, o.t.escrow),
);
const result: Record<string, unknown> = {
  agent: new StrategyAgent().name,
  priceRule: "randomized-split",
  prior: PRIOR_TEXT,
  deals: DEALS,
  train: TRAIN,
  agreementRate: agreed.length / test.length,
  agreementRateFeasible: feasible.filter((o) => o.r.agreed).length / Math.max(1, feasible.length),
  agreementRateInfeasible: infeasible.filter((o) => o.r.agreed).length / Math.max(1, infeasible.length),
  meanRounds: mean(test.map((o) => o.r.transcript.at(-1)!.round)),
  meanRoundsAgreed: mean(agreed.map((o) => o.r.transcript.at(-1)!.round)),
  sellerSurplusShare: mean(split.filter(Number.isFinite)),
  buyerSurplusShare: 1 - mean(split.filter(Number.isFinite)),
  mediatedShare: mean(agreed.map((o) => (mediated(o) ? 1 : 0))),
  convergedShare: mean(agreed.map((o) => (converged(o) ? 1 : 0))),
  ...summary,
  leakExcessWithin1pct: excessOut.within1.excess,
  leakExcessWithin1pctCiHigh: excessOut.within1.ciHigh,
  leakExcessWithin5pct: excessOut.within5.excess,
  leakExcessWithin5pctCiHigh: excessOut.within5.ciHigh,
  buyerShadingGain10pct: shadingGain(shadeTriples, "buyer", false),
  sellerShadingGain10pct: shadingGain(shadeTriples, "seller", false),
  postedPriceBuyerShadingGain10pct: shadingGain(shadeTriples, "buyer", true),
  plantedLeakExcessWithin1pct: planted.excess,
  leak,
  seconds: (Date.now() - started) / 1000,
};

const key = process.env.ANTHROPIC_API_KEY;
if (key !== undefined && key !== "") {
  const claude: Record<string, unknown>[] = [];
  for (const s of SCENARIOS) {
    const r = await negotiate({
      dealId: 1n,
      escrowWei: units(s.escrowUnits),
      buyer: { budgetWei: units(s.budgetUnits), requirements: s.buyerRequirements },
      seller: { floorWei: units(s.floorUnits), description: s.sellerDescription },
      facts: {},
      sellerIdentity: { domain: null, verified: false },
      agents: { buyer: new ClaudeAgent({ apiKey: key }), seller: new ClaudeAgent({ apiKey: key }) },
      baseTerms: s.terms,
    });
    claude.push({
      scenario: s.name,
      agreed: r.agreed,
      rounds: r.transcript.at(-1)?.round ?? 0,
      calls: r.usage.buyer.calls + r.usage.seller.calls,
      inputTokens: r.usage.buyer.inputTokens + r.usage.seller.inputTokens,
      outputTokens: r.usage.buyer.outputTokens + r.usage.seller.outputTokens,
    });
  }
  result.claude = claude;
}

if (json) console.log(JSON.stringify(result));
else {
  const pct = (x: unknown) => `${(100 * (x as number)).toFixed(1)} %`;
  console.log(`${result.agent}: ${DEALS} random deals (${PRIOR_TEXT}), ${TRAIN} simulated for the attackers`);
  console.log(
    `agreement (floor ≤ budget / >)  ${pct(result.agreementRateFeasible)} / ${pct(result.agreementRateInfeasible)}`,
  );
  console.log(
    `mean rounds ${(result.meanRounds as number).toFixed(2)} · converged ${pct(result.convergedShare)} · mediated ${pct(result.mediatedShare)}`,
  );
  console.log(
    `surplus split seller / buyer     ${pct(result.sellerSurplusShare)} / ${pct(result.buyerSurplusShare)}`,
  );
  console.log(
    `leak within 1 % / 5 % (best transcript attacker)  ${pct(result.leakWithin1pct)} / ${pct(result.leakWithin5pct)}`,
  );
  console.log(
    `  outcome-only Bayes reference                    ${pct(result.outcomeOnlyLeakWithin1pct)} / ${pct(result.outcomeOnlyLeakWithin5pct)}`,
  );
  console.log(
    `  excess (95 % CI high)   1 %: ${pct(result.leakExcessWithin1pct)} (${pct(result.leakExcessWithin1pctCiHigh)})   5 %: ${pct(result.leakExcessWithin5pct)} (${pct(result.leakExcessWithin5pctCiHigh)})`,
  );
  console.log(
    `  (check: a planted leak of the budget ±2 % shows as excess ${pct(result.plantedLeakExcessWithin1pct)})`,
  );
  console.log(
    `shading a limit by 10 %: buyer ${pct(result.buyerShadingGain10pct)}, seller ${pct(result.sellerShadingGain10pct)}; posted price, buyer ${pct(result.postedPriceBuyerShadingGain10pct)}`,
  );
  if (result.claude) console.table(result.claude);
  else console.log("(set ANTHROPIC_API_KEY to also run Claude on the five scenarios)");
}
