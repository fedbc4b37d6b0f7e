/**
 * Outcome first, transcript from the outcome (DESIGN §8, strongest form), with the built-in
 * agents: the mechanism sets deal / price / terms; the transcript the parties see is the same for
 * every pair of limits that yields the same outcome; it reads as 3–8 rounds of offers converging
 * to the price and an accept (or a reasoned walk-away); no number in a message but quoted prices.
 */
import { expect } from "chai";
import { formatEther, parseEther } from "ethers";
import { StrategyAgent } from "../../oracle/negotiation/strategy-agent.ts";
import { SCENARIOS, seeded, units } from "../../scripts/lib/scenarios.ts";
import { createAgents } from "../../oracle/negotiation/index.ts";
import { findNumbers } from "../../oracle/negotiation/reservation-text-guard.ts";
import { dealRandom, dealSeed } from "../../oracle/negotiation/random.ts";
import { PRICE_RULES, TRANSCRIPT_LABEL } from "../../oracle/negotiation/mechanism.ts";
import type { Evidence, TranscriptEntry } from "../../oracle/negotiation/types.ts";
import { ESCROW, pairsForPrice, run, seedOf, TERMS } from "./helpers.ts";

const builtIn = () => ({ buyer: new StrategyAgent(), seller: new StrategyAgent() });
const runLimits = (floorWei: bigint, budgetWei: bigint, seed: Uint8Array, over = {}) => {
  const a = builtIn();
  return run(a.buyer, a.seller, {
    buyer: { budgetWei, requirements: "10k labelled images" },
    seller: { floorWei, description: "COCO-style dataset" },
    randomSeed: seed,
    ...over,
  });
};
const prices = (t: readonly TranscriptEntry[], role: string) =>
  t
    .filter((e) => e.role === role && e.action !== "accept" && e.priceWei !== undefined)
    .map((e) => BigInt(e.priceWei!));

/** Asks never rise, bids never fall, all on the right side of the price, ending in an accept at it. */
function expectConverging(t: readonly TranscriptEntry[], price: bigint) {
  const asks = prices(t, "seller");
  const bids = prices(t, "buyer");
  for (let i = 1; i < asks.length; i++) expect(asks[i]! <= asks[i - 1]!, "asks fall").to.equal(true);
  for (let i = 1; i < bids.length; i++) expect(bids[i]! >= bids[i - 1]!, "bids rise").to.equal(true);
  expect(asks.every((a) => a >= price) && bids.every((b) => b <= price)).to.equal(true);
  expect(asks.at(-1)).to.equal(price);
  expect(t.at(-1)).to.deep.include({ role: "buyer", action: "accept", priceWei: price.toString() });
  const rounds = t.at(-1)!.round;
  expect(rounds >= 3 && rounds <= 8, `rounds ${rounds}`).to.equal(true);
}

/** Every number in a message is a price quoted at or before it (in ETH). */
function expectOnlyQuotedNumbers(t: readonly TranscriptEntry[]) {
  t.forEach((e, i) => {
    expect(e.note, `entry ${i} has a message`).to.be.a("string").and.not.equal("");
    const quoted = t
      .slice(0, i + 1)
      .flatMap((x) => (x.priceWei === undefined ? [] : [formatEther(BigInt(x.priceWei))]));
    for (const n of findNumbers(e.note!)) {
      const s = formatEther((n.value.digits * 10n ** 18n) / 10n ** BigInt(n.value.scale));
      expect(quoted, `"${e.note}"`).to.include(s);
    }
  });
}

describe("negotiation: outcome first, transcript from the outcome (built-in agents)", () => {
  for (const s of SCENARIOS) {
    it(`${s.name}: a deal inside [floor, budget] that reads as converging offers and an accept`, async () => {
      const r = await runLimits(units(s.floorUnits), units(s.budgetUnits), seedOf(s.name), {
        escrowWei: units(s.escrowUnits),
        baseTerms: s.terms,
        maxRounds: 8,
      });
      expect(r.agreed, r.reason).to.equal(true);
      expect(r.priceWei >= units(s.floorUnits) && r.priceWei <= units(s.budgetUnits)).to.equal(true);
      expect(r.terms).to.deep.equal(s.terms);
      expectConverging(r.transcript, r.priceWei);
      expectOnlyQuotedNumbers(r.transcript);
      const doc = JSON.parse(r.transcriptJson);
      expect([doc.transcriptIs, doc.priceRule]).to.deep.equal([
        TRANSCRIPT_LABEL,
        PRICE_RULES["randomized-split"],
      ]);
      expect(JSON.parse(r.termsJson)).to.deep.include({
        transcriptIs: TRANSCRIPT_LABEL,
        priceRule: r.priceRule,
      });
    });

    it(`${s.name}: no deal when the floor is above the budget: "no overlap" and a reasoned walk-away`, async () => {
      const r = await runLimits(units(s.budgetUnits) + 1n, units(s.budgetUnits), seedOf(s.name), {
        escrowWei: units(s.escrowUnits),
        baseTerms: s.terms,
      });
      expect([r.agreed, r.priceWei]).to.deep.equal([false, 0n]);
      expect(r.reason).to.match(/^no overlap/);
      expect(r.transcript.at(-1)).to.deep.include({ role: "buyer", action: "reject" });
      expect(r.transcript.at(-1)!.note).to.match(/walk away|stop here/);
      expectOnlyQuotedNumbers(r.transcript);
    });
  }

  it("for a fixed outcome and seed the transcript is byte-identical across 200 different limit pairs", async () => {
    const seed = seedOf("fixed");
    const price = parseEther("0.8123");
    const pairs = pairsForPrice(seed, ESCROW, price, 200);
    expect(pairs).to.have.length(200);
    expect(new Set(pairs.map((p) => p.floorWei)).size).to.be.greaterThan(190);
    let first: { transcriptJson: string; termsJson: string } | undefined;
    for (const p of pairs) {
      const r = await runLimits(p.floorWei, p.budgetWei, seed);
      expect(r.priceWei).to.equal(price);
      first ??= r;
      expect(r.transcriptJson).to.equal(first.transcriptJson);
      expect(r.termsJson).to.equal(first.termsJson);
    }
    expectConverging(JSON.parse(first!.transcriptJson).entries, price);
  });

  it("so is a no-deal transcript across 200 infeasible pairs, and the buyer's check discount changes only the outcome", async () => {
    const seed = seedOf("no-deal");
    const rnd = seeded(5);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const budget = (ESCROW * BigInt(Math.floor(rnd() * 1e6))) / 1_000_000n;
      const r = await runLimits(budget + 1n + BigInt(Math.floor(rnd() * 1e15)), budget, seed);
      expect(r.agreed).to.equal(false);
      seen.add(r.transcriptJson);
    }
    expect(seen.size).to.equal(1);
    // with one failed optional check the buyer's valuation is 90 %: pairs found for that factor
    const evidence: Evidence = {
      datasheetVerified: true,
      checks: [
        { id: "rows", required: true, passed: true, value: 12000 },
        { id: "freshness", required: false, passed: false },
      ],
    };
    const price = parseEther("0.7");
    const pairs = pairsForPrice(seed, ESCROW, price, 200, 0.9);
    expect(pairs).to.have.length(200);
    const shown = new Set<string>();
    for (const p of pairs) {
      const r = await runLimits(p.floorWei, p.budgetWei, seed, { evidence });
      expect(r.priceWei).to.equal(price);
      shown.add(r.transcriptJson);
    }
    expect(shown.size).to.equal(1);
    // the same limits without the shortfall give a higher price
    const undiscounted = await runLimits(pairs[0]!.floorWei, pairs[0]!.budgetWei, seed);
    expect(undiscounted.priceWei > price).to.equal(true);
  });

  it("agrees exactly when floor ≤ budget (and ≤ escrow) over a random grid, including 1-round limits", async () => {
    const rnd = seeded(11);
    for (let i = 0; i < 120; i++) {
      const E = parseEther("2");
      const f = (E * BigInt(Math.floor(rnd() * 1.1e6))) / 1_000_000n;
      const b = i % 10 === 0 ? f : (E * BigInt(Math.floor(rnd() * 1.1e6))) / 1_000_000n;
      const r = await runLimits(f, b, seedOf(i), { escrowWei: E, maxRounds: 1 + (i % 8) });
      const feasible = f <= b && f <= E && f > 0n;
      expect(r.agreed, `f=${f} b=${b}`).to.equal(feasible);
      if (feasible) {
        expect(r.priceWei >= f && r.priceWei <= b && r.priceWei <= E).to.equal(true);
        expect(r.transcript.at(-1)!.round <= 1 + (i % 8)).to.equal(true);
      }
    }
  });

  it("the same seed gives the same transcript; another seed another rendering; no seed fresh randomness", async () => {
    const a = await runLimits(parseEther("0.5"), parseEther("1"), seedOf(1));
    const b = await runLimits(parseEther("0.5"), parseEther("1"), seedOf(1));
    const c = await runLimits(parseEther("0.5"), parseEther("1"), seedOf(2));
    expect(a.transcriptHash).to.equal(b.transcriptHash);
    expect(c.transcriptHash).to.not.equal(a.transcriptHash);
    const x = builtIn();
    const fresh = await run(x.buyer, x.seller, { randomSeed: undefined });
    const again = await run(x.buyer, x.seller, { randomSeed: undefined });
    expect(fresh.transcriptHash).to.not.equal(again.transcriptHash);
  });

  it("a required check that failed makes the buyer walk away, with its reason and no offer from it", async () => {
    const evidence: Evidence = {
      datasheetVerified: true,
      checks: [{ id: "rows", required: true, passed: false, value: 900 }],
    };
    const r = await runLimits(parseEther("0.1"), parseEther("1"), seedOf(3), { evidence });
    expect(r.agreed).to.equal(false);
    expect(r.reason).to.match(/^the buyer walked away: A check we required did not pass/);
    expect(r.transcript.map((e) => `${e.role}:${e.action}`)).to.deep.equal(["seller:offer", "buyer:reject"]);
    expectOnlyQuotedNumbers(r.transcript);
  });

  it("honours per-scope prices: the buyer's chosen scope at the seller's floor for it, else the next candidate", async () => {
    const research = { accessScope: "research-only" as const, durationDays: 365 };
    const buyer = new (class extends StrategyAgent {
      override async judge() {
        return { walkAway: false, valueFactor: 1, terms: research, message: "" };
      }
    })();
    const seller = new StrategyAgent();
    const r = await run(buyer, seller, {
      seller: {
        floorWei: parseEther("0.9"),
        floorByScopeWei: { "research-only": parseEther("0.3") },
        description: "d",
      },
      buyer: {
        budgetWei: parseEther("1"),
        budgetByScopeWei: { "research-only": parseEther("0.5") },
        requirements: "r",
      },
    });
    expect(r.terms).to.deep.equal(research);
    expect(r.priceWei >= parseEther("0.3") && r.priceWei <= parseEther("0.5")).to.equal(true);
    // research-only cannot work (floor 0.6 > budget 0.5): the scenario's terms are next
    const r2 = await run(buyer, seller, {
      seller: {
        floorWei: parseEther("0.7"),
        floorByScopeWei: { "research-only": parseEther("0.6") },
        description: "d",
      },
      buyer: {
        budgetWei: parseEther("1"),
        budgetByScopeWei: { "research-only": parseEther("0.5") },
        requirements: "r",
      },
    });
    expect(r2.terms).to.deep.equal(TERMS);
    expect(r2.priceWei >= parseEther("0.7") && r2.priceWei <= parseEther("1")).to.equal(true);
  });

  it("posted price: a deal at the seller's price exactly when it is within the buyer's budget", async () => {
    const posted = parseEther("0.8");
    const yes = await runLimits(parseEther("0.5"), parseEther("0.8"), seedOf(4), {
      seller: { floorWei: 0n, postedPriceWei: posted, description: "d" },
    });
    expect([yes.agreed, yes.priceWei, yes.priceRule]).to.deep.equal([
      true,
      posted,
      PRICE_RULES["posted-price"],
    ]);
    expect(yes.transcript.map((e) => `${e.role}:${e.action}:${e.priceWei}`)).to.deep.equal([
      `seller:offer:${posted}`,
      `buyer:accept:${posted}`,
    ]);
    const no = await runLimits(0n, posted - 1n, seedOf(4), {
      seller: { floorWei: 0n, postedPriceWei: posted, description: "d" },
    });
    expect([no.agreed, no.reason]).to.deep.equal([
      false,
      "no deal: the posted price is above what the buyer's sealed budget allows",
    ]);
  });

  it("the deal seed is bound to the oracle's secret, the chain, the contract and the deal", () => {
    const secret = new Uint8Array(32).fill(7);
    const ctx = { chainId: 1n, contract: "0x00000000000000000000000000000000000000aa", dealId: 5n };
    const s = Buffer.from(dealSeed(secret, ctx)).toString("hex");
    for (const other of [
      dealSeed(new Uint8Array(32).fill(8), ctx),
      dealSeed(secret, { ...ctx, chainId: 2n }),
      dealSeed(secret, { ...ctx, contract: "0x00000000000000000000000000000000000000ab" }),
      dealSeed(secret, { ...ctx, dealId: 6n }),
    ])
      expect(Buffer.from(other).toString("hex")).to.not.equal(s);
    expect(() => dealSeed(new Uint8Array(16), ctx)).to.throw(/at least 32 bytes/);
    const r = dealRandom(dealSeed(secret, ctx), "mechanism");
    for (let i = 0; i < 200; i++) expect(r.below(`b${i}`, 7n) < 7n).to.equal(true);
  });

  it("is what createAgents gives without an API key, and the terms JSON says so", async () => {
    const a = createAgents();
    expect([a.buyer.kind, a.seller.kind]).to.deep.equal(["strategy", "strategy"]);
    const r = await run(a.buyer, a.seller);
    expect(JSON.parse(r.termsJson).agents.buyer).to.deep.include({ kind: "strategy" });
  });
});
