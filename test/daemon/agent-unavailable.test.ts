/**
 * DESIGN §9 in the pipeline: when the model API stays unavailable, the deal's outcome is "no deal"
 * with reason code `agent-unavailable` in the terms — settled at once, never a refusal — through
 * the real ClaudeAgent and SDK against a local Messages API answering 529, with the deal's
 * deadline close enough that retrying further could not settle in time.
 */
import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hexlify } from "ethers";
import {
  buildOutcome,
  NEGOTIATION_DEADLINE_MARGIN_MS,
  type PipelineDeps,
} from "../../oracle/daemon/pipeline.ts";
import { generateX25519KeyPair } from "../../sdk/src/hpke.ts";
import { LOCAL_POLICY } from "../../oracle/data/location-policy.ts";
import { prepareDataset, sellerEmailKit } from "../../scripts/lib/seller-kit.ts";
import { scenarioByName, units } from "../../scripts/lib/scenarios.ts";
import { ClaudeAgent } from "../../oracle/negotiation/claude-agent.ts";
import { startFakeAnthropic } from "../../scripts/lib/fake-anthropic.ts";
import { acceptedDealRow, SEAL_CONTEXT } from "../fixtures/settlements.ts";

describe("pipeline: a model API that stays down closes the deal as agent-unavailable", function () {
  this.timeout(60_000);

  it("529 overloaded until the deadline margin: no deal with reason code agent-unavailable, no refusal recorded", async () => {
    const s = scenarioByName("vision");
    const dir = mkdtempSync(join(tmpdir(), "dealproof-unavail-"));
    const dataset = await prepareDataset(dir, s, { rows: 200 });
    const email = sellerEmailKit();
    const delivery = await generateX25519KeyPair();
    // the deadline leaves just the margin plus a little: one failed call, then no time for a retry
    const { row: deal, oracleKey } = await acceptedDealRow({
      dealId: 9n,
      buyer: {
        v: 1,
        budgetWei: units(s.budgetUnits).toString(),
        requirements: s.buyerRequirements,
        deliveryPublicKey: hexlify(delivery.publicKey),
      },
      seller: {
        v: 1,
        floorWei: units(s.floorUnits).toString(),
        description: s.sellerDescription,
        dataset: { location: dataset.location, key: dataset.key, chunkSize: dataset.chunkSize },
      },
      dataRoot: dataset.dataRoot,
      escrowWei: units(s.escrowUnits),
      deadline: Math.floor((Date.now() + NEGOTIATION_DEADLINE_MARGIN_MS + 3000) / 1000),
    });
    const fake = await startFakeAnthropic(() => ({ kind: "status", status: 529 }));
    const moves: string[] = [];
    try {
      const claude = () =>
        new ClaudeAgent({ apiKey: "sk-test", baseURL: fake.baseURL, timeoutMs: 2000, maxAttempts: 50 });
      const deps: PipelineDeps = {
        ...SEAL_CONTEXT,
        keyring: [{ epoch: 1, publicKey: "0x", privateKey: oracleKey }],
        resolver: email.resolver,
        agents: () => ({ buyer: claude(), seller: claude() }),
        maxRounds: 4,
        maxDatasetBytes: 1 << 24,
        fetch: { policy: LOCAL_POLICY, idleTimeoutMs: 10_000, budgetMs: 30_000, minBytesPerSec: 1024 },
        onMove: (_id, e) => moves.push(e.action),
      };
      const started = Date.now();
      const out = await buildOutcome(deal, deps);
      expect(Date.now() - started).to.be.lessThan(20_000);
      expect(out.settlement.agreed).to.equal(false);
      expect(out.settlement.delivery).to.equal("0x");
      const terms = JSON.parse(out.termsJson);
      expect(terms.reasonCode).to.equal("agent-unavailable");
      expect(terms.reason).to.match(/seller's agent is unavailable.*HTTP 529/);
      expect(JSON.parse(out.transcriptJson).entries).to.deep.equal([]);
      expect(moves, "no move, and no refusal, was recorded").to.deep.equal([]);
      expect(fake.requests.length).to.be.greaterThan(0);
      for (const secret of [units(s.budgetUnits).toString(), units(s.floorUnits).toString()])
        expect(out.termsJson).to.not.include(secret);
    } finally {
      await fake.close();
    }
  });
});
