/**
 * `npm run bench:negotiation [-- --json]`: the StrategyAgent over a grid of budget/floor pairs —
 * agreement rate (over pairs where a deal is possible, floor ≤ budget), mean rounds, and the split
 * of surplus (budget − floor) between buyer and seller. With ANTHROPIC_API_KEY set it also runs
 * Claude on the five scenarios and prints rounds, calls and tokens per deal. Benchmark, not test.
 */
import { negotiate } from "../../oracle/negotiation/engine.ts";
import { StrategyAgent } from "../../oracle/negotiation/strategy-agent.ts";
import { ClaudeAgent } from "../../oracle/negotiation/claude-agent.ts";
import { SCENARIOS, units } from "../../oracle/negotiation/scenarios.ts";

const json = process.argv.includes("--json");
const MAX_ROUNDS = 8;

let possible = 0;
let agreed = 0;
let impossibleAgreed = 0;
let roundsSum = 0;
let sellerShareSum = 0;
for (let b = 200; b <= 2000; b += 100) {
  for (let f = 100; f <= 2000; f += 100) {
    const budget = units(b);
    const floor = units(f);
    const r = await negotiate({
      dealId: BigInt(b * 10000 + f),
      escrowWei: units(Math.ceil(b * 1.25)),
      buyer: { budgetWei: budget, requirements: "grid" },
      seller: { floorWei: floor, description: "grid" },
      facts: {},
      sellerIdentity: { domain: null, verified: false },
      agents: { buyer: new StrategyAgent(), seller: new StrategyAgent() },
      maxRounds: MAX_ROUNDS,
    });
    const rounds = Math.max(...r.transcript.map((e) => e.round));
    if (floor <= budget) {
      possible++;
      if (r.agreed) {
        agreed++;
        roundsSum += rounds;
        if (budget > floor) sellerShareSum += Number(r.priceWei - floor) / Number(budget - floor);
        else sellerShareSum += 0.5;
      }
    } else if (r.agreed) impossibleAgreed++;
  }
}

const result: Record<string, unknown> = {
  pairs: possible,
  agreementRate: agreed / possible,
  agreementsWithoutOverlap: impossibleAgreed,
  meanRounds: roundsSum / Math.max(agreed, 1),
  sellerSurplusShare: sellerShareSum / Math.max(agreed, 1),
  buyerSurplusShare: 1 - sellerShareSum / Math.max(agreed, 1),
  maxRounds: MAX_ROUNDS,
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

if (json) console.log(JSON.stringify(result));
else {
  console.log(
    `StrategyAgent vs StrategyAgent, ${possible} budget/floor pairs with floor ≤ budget (max ${MAX_ROUNDS} rounds)`,
  );
  console.log(
    `agreement rate          ${((result.agreementRate as number) * 100).toFixed(1)} %   (deals without overlap: ${impossibleAgreed})`,
  );
  console.log(`mean rounds             ${(result.meanRounds as number).toFixed(2)}`);
  console.log(
    `surplus split           seller ${((result.sellerSurplusShare as number) * 100).toFixed(1)} % / buyer ${((result.buyerSurplusShare as number) * 100).toFixed(1)} %`,
  );
  if (result.claude) console.table(result.claude);
  else console.log("(set ANTHROPIC_API_KEY to also run Claude on the five scenarios)");
}
