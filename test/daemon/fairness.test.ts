/**
 * Fairness and budgets (DESIGN.md §9): ten hostile deals — dead ports, missing files, servers
 * that drip a byte at a time — run beside one honest deal, which settles in its normal time, both
 * when they come from one seller and from ten sellers with a full 60 s fetch budget (a dripping
 * fetch gives its slot back at the rate floor, not at its budget); each
 * hostile deal ends as "no deal" with a reason code (the buyer's escrow back at once), within its
 * attempts or before its deadline minus the safety margin, never retried forever.
 */
import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { oracle, runDeal, settledEvents, rowWhen } from "./harness.ts";
import { setupEnv, type Env } from "../fixtures/local-chain.ts";
import type { RunningOracle } from "../../oracle/main/app.ts";

const BUYERS = [2, 4, 5, 6, 7, 8, 9, 10, 11, 12];

describe("per-deal budgets and fair scheduling (oracle/daemon/daemon.ts)", function () {
  this.timeout(180_000);
  let env: Env;
  let drip: Server;
  let dripUrl: string;
  let deadUrl: string;
  before(async () => {
    env = await setupEnv();
    // answers 200, then one byte every 300 ms, forever: under every idle timeout, never done
    drip = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const t = setInterval(() => res.write("D"), 300);
      res.on("close", () => clearInterval(t));
    });
    await new Promise<void>((r) => drip.listen(0, "127.0.0.1", r));
    dripUrl = `http://127.0.0.1:${(drip.address() as AddressInfo).port}/data.enc`;
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/data.enc`;
    await new Promise<void>((r) => closed.close(() => r()));
  });
  after(async () => {
    drip.closeAllConnections();
    drip.close();
    await env.chain.close();
  });

  const budget = {
    DEALPROOF_CONCURRENCY: "4",
    DEALPROOF_FETCH_IDLE_MS: "1000",
    DEALPROOF_FETCH_BUDGET_MS: "1500",
    DEALPROOF_DEAL_ATTEMPTS: "3",
    DEALPROOF_RETRY_BASE_MS: "300",
    DEALPROOF_RETRY_MAX_MS: "1500",
  };

  const until = (o: RunningOracle, id: bigint, status: "settled" | "closed") =>
    rowWhen(o, id, [status], 120_000);

  it("one honest deal settles in its normal time beside 10 hostile deals, which end as no deal with a reason", async () => {
    const o = await oracle(env, budget);
    try {
      // the honest deal's normal time, alone
      let t0 = Date.now();
      const solo = await runDeal(env, { buyerIx: 13, sellerIx: 15 });
      await until(o, solo.dealId, "settled");
      const aloneMs = Date.now() - t0;

      const locations = [
        ...Array.from({ length: 4 }, () => dripUrl),
        ...Array.from({ length: 3 }, () => deadUrl),
        ...Array.from({ length: 3 }, (_, i) => `file:///nonexistent/dealproof-${i}/data.enc`),
      ];
      const hostile = [];
      for (const [k, location] of locations.entries())
        hostile.push(
          await runDeal(env, {
            buyerIx: BUYERS[k % BUYERS.length]!,
            sellerIx: k % 2 === 0 ? 3 : 14,
            email: null,
            dataset: { location },
          }),
        );
      t0 = Date.now();
      const honest = await runDeal(env, { buyerIx: 13, sellerIx: 15 });
      await until(o, honest.dealId, "settled");
      const withHostileMs = Date.now() - t0;
      const unfinished = hostile.filter((d) => o.store.get(d.dealId)?.status !== "settled").length;
      console.log(
        `      honest deal: ${aloneMs} ms alone, ${withHostileMs} ms beside 10 hostile deals (${unfinished} of them still unfinished)`,
      );
      expect(withHostileMs, "the honest deal waited on hostile ones").to.be.lessThan(
        Math.max(3 * aloneMs, aloneMs + 6000),
      );
      expect(await settledEvents(env, honest.dealId)).to.have.length(1);

      for (const d of hostile) {
        const row = await until(o, d.dealId, "settled");
        const outcome = row.outcome!;
        expect(outcome.settlement.agreed).to.equal(false);
        expect(outcome.reason).to.match(/^dataset_unavailable \(fetch_failed\)/);
        expect(outcome.termsJson).to.include("dataset_unavailable (fetch_failed)");
        expect(row.attempts).to.equal(2); // the third attempt failed and closed it
        expect(await settledEvents(env, d.dealId)).to.have.length(1);
      }
    } finally {
      await o.stop();
    }
  });

  it("one honest deal settles in its normal time beside 10 slow-drip deals from 10 sellers, under a 60 s budget", async () => {
    // the budget alone would let each dripping fetch hold a slot for a minute; the rate floor
    // (DEALPROOF_FETCH_MIN_BPS over a window of min(idle, 5 s)) ends each after about a second
    const o = await oracle(env, { ...budget, DEALPROOF_FETCH_BUDGET_MS: "60000" });
    try {
      let t0 = Date.now();
      const solo = await runDeal(env, { buyerIx: 13, sellerIx: 15 });
      await until(o, solo.dealId, "settled");
      const aloneMs = Date.now() - t0;

      const sellers = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
      const hostile = [];
      for (const sellerIx of sellers)
        hostile.push(
          await runDeal(env, { buyerIx: 18, sellerIx, email: null, dataset: { location: dripUrl } }),
        );
      t0 = Date.now();
      const honest = await runDeal(env, { buyerIx: 13, sellerIx: 15 });
      await until(o, honest.dealId, "settled");
      const withHostileMs = Date.now() - t0;
      console.log(
        `      honest deal: ${aloneMs} ms alone, ${withHostileMs} ms beside 10 slow-drip deals from 10 sellers`,
      );
      expect(withHostileMs, "the honest deal waited on slow-drip fetches").to.be.lessThan(
        Math.max(3 * aloneMs, aloneMs + 6000),
      );
      for (const d of hostile) {
        const row = await until(o, d.dealId, "settled");
        expect(row.outcome!.settlement.agreed).to.equal(false);
        expect(row.outcome!.reason).to.match(/^dataset_unavailable \(fetch_failed\)/);
      }
    } finally {
      await o.stop();
    }
  });

  it("a deal that cannot finish closes as no deal with a reason before its deadline minus the margin", async () => {
    // deadlines are an hour out; a margin of 3590 s leaves ~10 s of work before "out of time"
    const o = await oracle(env, {
      ...budget,
      DEALPROOF_DEAL_ATTEMPTS: "100",
      DEALPROOF_DEADLINE_MARGIN_S: "3590",
    });
    try {
      const d = await runDeal(env, {
        buyerIx: 16,
        sellerIx: 17,
        email: null,
        dataset: { location: deadUrl },
      });
      const row = await until(o, d.dealId, "settled");
      const outcome = row.outcome!;
      expect(outcome.settlement.agreed).to.equal(false);
      expect(outcome.reason).to.match(/^out_of_time \(fetch_failed\)/);
      const api = (await (await fetch(`${o.url}/deals/${d.dealId}`)).json()) as { settledBy: string };
      expect(api.settledBy).to.equal("oracle");
      expect(row.attempts).to.be.greaterThan(1);
      const [ev] = await settledEvents(env, d.dealId);
      const block = await env.chain.connection.ethers.provider.getBlock(ev!.blockNumber);
      expect(block!.timestamp).to.be.lessThan(row.deadline);
    } finally {
      await o.stop();
    }
  });
});
