import { expect } from "chai";
import { negotiate } from "../../oracle/negotiation/engine.ts";
import { StrategyAgent } from "../../oracle/negotiation/strategy-agent.ts";
import { SCENARIOS, units } from "../../oracle/negotiation/scenarios.ts";
import { createAgents } from "../../oracle/negotiation/index.ts";
import { seeded } from "../../oracle/negotiation/scenarios.ts";

function runScenario(budget: bigint, floor: bigint, escrow: bigint, maxRounds = 8) {
  return negotiate({
    dealId: 42n,
    escrowWei: escrow,
    buyer: { budgetWei: budget, requirements: "r" },
    seller: { floorWei: floor, description: "d" },
    facts: { format: "csv" },
    sellerIdentity: { domain: null, verified: false },
    agents: { buyer: new StrategyAgent(), seller: new StrategyAgent() },
    maxRounds,
  });
}

describe("StrategyAgent", () => {
  for (const s of SCENARIOS) {
    it(`agrees on the ${s.name} scenario within the round limit, inside [floor, budget]`, async () => {
      const r = await runScenario(units(s.budgetUnits), units(s.floorUnits), units(s.escrowUnits));
      expect(r.agreed, r.reason).to.equal(true);
      expect(r.priceWei >= units(s.floorUnits) && r.priceWei <= units(s.budgetUnits)).to.equal(true);
      expect(Math.max(...r.transcript.map((e) => e.round))).to.be.at.most(8);
      expect(r.transcript.some((e) => e.refused)).to.equal(false);
    });
    it(`finds no deal on the ${s.name} scenario when the floor is above the budget`, async () => {
      const r = await runScenario(units(s.floorUnits - 1), units(s.floorUnits), units(s.escrowUnits));
      expect(r.agreed).to.equal(false);
      expect(r.priceWei).to.equal(0n);
      expect(r.reason).to.match(/no agreement within 8 rounds/);
    });
  }

  it("produces identical transcripts and hashes on repeated runs", async () => {
    const a = await runScenario(units(1000), units(600), units(1250));
    const b = await runScenario(units(1000), units(600), units(1250));
    expect(a.transcriptJson).to.equal(b.transcriptJson);
    expect([a.termsHash, a.transcriptHash]).to.deep.equal([b.termsHash, b.transcriptHash]);
  });

  it("agrees exactly when floor ≤ budget over a random grid (including equal limits and 1-round deals)", async () => {
    const r = seeded(2024);
    for (let i = 0; i < 60; i++) {
      const budget = BigInt(Math.floor(r() * 5000) + 1) * 10n ** 14n + BigInt(Math.floor(r() * 1000));
      const floor = i % 10 === 0 ? budget : BigInt(Math.floor(r() * 5000) + 1) * 10n ** 14n;
      const escrow = budget + BigInt(Math.floor(r() * 1000)) * 10n ** 14n;
      const rounds = 1 + (i % 9);
      const res = await runScenario(budget, floor, escrow, rounds);
      expect(res.agreed, `budget ${budget} floor ${floor} rounds ${rounds}: ${res.reason}`).to.equal(
        floor <= budget,
      );
      if (res.agreed) expect(res.priceWei >= floor && res.priceWei <= budget).to.equal(true);
    }
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
    expect(terms.agents.buyer.kind).to.equal("strategy");
    expect(terms.policyHash).to.match(/^0x[0-9a-f]{64}$/);
  });
});
