/**
 * The built-in StrategyAgent and the enclave mediator: agreement exactly when floor ≤ budget,
 * prices inside both limits and both last positions, paths drawn from the deal's seed (same seed,
 * same transcript; another seed, another path), no position a public function of the reservation
 * value, and messages that follow the situation without a single number in them.
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { parseEther } from "ethers";
import { negotiate } from "../../oracle/negotiation/engine.ts";
import { StrategyAgent } from "../../oracle/negotiation/strategy-agent.ts";
import { SCENARIOS, units, seeded } from "../../oracle/negotiation/scenarios.ts";
import { createAgents } from "../../oracle/negotiation/index.ts";
import { findNumbers } from "../../oracle/negotiation/disclosure.ts";
import { dealRandom, dealSeed } from "../../oracle/negotiation/random.ts";

const seedOf = (s: string | number) => new Uint8Array(createHash("sha256").update(`test:${s}`).digest());

function runScenario(
  budget: bigint,
  floor: bigint,
  escrow: bigint,
  maxRounds = 8,
  seed: string | number = 1,
) {
  return negotiate({
    dealId: 42n,
    escrowWei: escrow,
    buyer: { budgetWei: budget, requirements: "r" },
    seller: { floorWei: floor, description: "d" },
    facts: { format: "csv" },
    sellerIdentity: { domain: null, verified: false },
    agents: { buyer: new StrategyAgent(), seller: new StrategyAgent() },
    maxRounds,
    randomSeed: seedOf(seed),
  });
}

const pricesOf = (r: Awaited<ReturnType<typeof runScenario>>, role: string) =>
  r.transcript.filter((e) => e.role === role && e.priceWei !== undefined).map((e) => BigInt(e.priceWei!));

describe("StrategyAgent and the enclave mediator", () => {
  for (const s of SCENARIOS) {
    it(`agrees on the ${s.name} scenario within the round limit, inside [floor, budget]`, async () => {
      const r = await runScenario(units(s.budgetUnits), units(s.floorUnits), units(s.escrowUnits));
      expect(r.agreed, r.reason).to.equal(true);
      expect(r.priceWei >= units(s.floorUnits) && r.priceWei <= units(s.budgetUnits)).to.equal(true);
      expect(Math.max(...r.transcript.map((e) => e.round))).to.be.at.most(8);
      expect(r.transcript.some((e) => e.refused)).to.equal(false);
    });
    it(`finds no deal on the ${s.name} scenario when the floor is above the budget, saying only "no overlap"`, async () => {
      const r = await runScenario(units(s.floorUnits - 1), units(s.floorUnits), units(s.escrowUnits));
      expect(r.agreed).to.equal(false);
      expect(r.priceWei).to.equal(0n);
      expect(r.reason).to.match(/^no overlap/);
      expect(r.transcript.at(-1)).to.deep.include({ role: "mediator", action: "no-overlap" });
      expect(r.transcript.at(-1)!.priceWei).to.equal(undefined);
    });
  }

  it("the same deal seed gives the same transcript and hashes; another seed another path", async () => {
    const a = await runScenario(units(1000), units(600), units(1250), 8, "x");
    const b = await runScenario(units(1000), units(600), units(1250), 8, "x");
    const c = await runScenario(units(1000), units(600), units(1250), 8, "y");
    expect(a.transcriptJson).to.equal(b.transcriptJson);
    expect([a.termsHash, a.transcriptHash]).to.deep.equal([b.termsHash, b.transcriptHash]);
    expect(pricesOf(a, "buyer")).to.not.deep.equal(pricesOf(c, "buyer"));
    expect(pricesOf(a, "seller")).to.not.deep.equal(pricesOf(c, "seller"));
  });

  it("without a seed each run draws fresh enclave randomness", async () => {
    const run = () =>
      negotiate({
        dealId: 1n,
        escrowWei: units(1250),
        buyer: { budgetWei: units(1000), requirements: "r" },
        seller: { floorWei: units(600), description: "d" },
        facts: {},
        sellerIdentity: { domain: null, verified: false },
        agents: { buyer: new StrategyAgent(), seller: new StrategyAgent() },
      });
    const [a, b] = [await run(), await run()];
    expect(a.transcriptJson).to.not.equal(b.transcriptJson);
  });

  it("the deal seed is bound to the oracle's secret, the chain, the contract and the deal", () => {
    const secret = new Uint8Array(32).fill(7);
    const ctx = { chainId: 1n, contract: "0x00000000000000000000000000000000000000aa", dealId: 5n };
    const s = Buffer.from(dealSeed(secret, ctx)).toString("hex");
    expect(Buffer.from(dealSeed(secret, ctx)).toString("hex")).to.equal(s);
    for (const other of [
      dealSeed(new Uint8Array(32).fill(8), ctx),
      dealSeed(secret, { ...ctx, chainId: 2n }),
      dealSeed(secret, { ...ctx, contract: "0x00000000000000000000000000000000000000ab" }),
      dealSeed(secret, { ...ctx, dealId: 6n }),
    ])
      expect(Buffer.from(other).toString("hex")).to.not.equal(s);
    expect(() => dealSeed(new Uint8Array(16), ctx)).to.throw(/at least 32 bytes/);
    const r = dealRandom(dealSeed(secret, ctx), "mediator");
    for (let i = 0; i < 200; i++) {
      const u = r.uniform(`u${i}`);
      expect(u >= 0 && u < 1).to.equal(true);
      expect(r.below(`b${i}`, 7n) < 7n).to.equal(true);
    }
  });

  it("agrees exactly when floor ≤ budget over a random grid (equal limits, 1-round deals), inside both limits and both last positions", async () => {
    const r = seeded(2024);
    for (let i = 0; i < 80; i++) {
      const budget = BigInt(Math.floor(r() * 5000) + 1) * 10n ** 14n + BigInt(Math.floor(r() * 1000));
      const floor = i % 10 === 0 ? budget : BigInt(Math.floor(r() * 5000) + 1) * 10n ** 14n;
      const escrow = budget + BigInt(Math.floor(r() * 1000)) * 10n ** 14n;
      const rounds = 1 + (i % 9);
      const res = await runScenario(budget, floor, escrow, rounds, i);
      expect(res.agreed, `budget ${budget} floor ${floor} rounds ${rounds}: ${res.reason}`).to.equal(
        floor <= budget && floor <= escrow,
      );
      if (!res.agreed) continue;
      expect(res.priceWei >= floor && res.priceWei <= budget).to.equal(true);
      const mediated = res.transcript.at(-1)!;
      if (mediated.role !== "mediator") continue;
      const asks = pricesOf(res, "seller").filter((_, j, a) => j < a.length);
      const bids = pricesOf(res, "buyer");
      const lastAsk = asks.filter((p) => p !== res.priceWei).at(-1) ?? asks.at(-1)!;
      const lastBid = bids.filter((p) => p !== res.priceWei).at(-1) ?? bids.at(-1)!;
      expect(res.priceWei <= lastAsk && res.priceWei >= lastBid, "inside both last positions").to.equal(true);
    }
  });

  it("no position is a public function of the reservation value: the opening varies widely with the seed, and the limit is never offered", async () => {
    const budget = parseEther("0.987654321987654321");
    const floor = parseEther("0.5");
    const escrow = parseEther("1.5");
    const openings: number[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await runScenario(budget, floor, escrow, 8, `open:${i}`);
      const bids = pricesOf(r, "buyer");
      const asks = pricesOf(r, "seller");
      if (bids.length > 0) openings.push(Number(bids[0]!) / Number(budget));
      const ownBids = r.transcript.filter(
        (e) => e.role === "buyer" && e.priceWei !== undefined && e.action !== "accept",
      );
      const ownAsks = r.transcript.filter(
        (e) => e.role === "seller" && e.priceWei !== undefined && e.action !== "accept",
      );
      for (const e of ownBids) expect(BigInt(e.priceWei!)).to.be.lessThan(budget);
      for (const e of ownAsks) expect(BigInt(e.priceWei!)).to.not.equal(floor);
      expect(asks.length).to.be.greaterThan(0);
    }
    openings.sort((a, b) => a - b);
    expect(openings.length).to.be.greaterThan(30);
    expect(openings.at(-1)! / openings[0]!, "the opening spreads over a wide range").to.be.greaterThan(10);
    // and no opening is the budget, nor half of it (the old rule)
    expect(openings.filter((o) => Math.abs(o - 1) < 1e-6 || Math.abs(o - 0.5) < 1e-6)).to.deep.equal([]);
  });

  it("its messages follow the situation, vary across rounds, and contain no number at all", async () => {
    const r = await runScenario(units(1000), units(600), units(1250), 8, "msgs");
    const notes = r.transcript.filter((e) => e.role !== "mediator").map((e) => e.note ?? "");
    expect(notes.every((n) => n.length > 0)).to.equal(true);
    expect(new Set(notes).size, "not one canned sentence per side").to.be.greaterThan(4);
    const policy = new StrategyAgent().policy() as { lines: Record<string, Record<string, string[]>> };
    for (const role of Object.values(policy.lines))
      for (const lines of Object.values(role))
        for (const line of lines) expect(findNumbers(line), line).to.deep.equal([]);
  });

  it("is what createAgents gives without an API key, and the terms JSON says so", async () => {
    const agents = createAgents({});
    expect(agents.buyer.kind).to.equal("strategy");
    const r = await negotiate({
      dealId: 1n,
      escrowWei: units(1250),
      buyer: { budgetWei: units(1000), requirements: "r" },
      seller: { floorWei: units(600), description: "d" },
      facts: {},
      sellerIdentity: { domain: null, verified: false },
      agents,
    });
    const terms = JSON.parse(r.termsJson);
    expect(terms.agents.buyer).to.deep.equal({ kind: "strategy", name: "strategy:private-concession" });
    expect(terms.policyHash).to.match(/^0x[0-9a-f]{64}$/);
  });
});
