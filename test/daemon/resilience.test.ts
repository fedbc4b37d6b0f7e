import { expect } from "chai";
import { oracle, runDeal, waitFor, settledEvents, rowWhen } from "./harness.ts";
import { useLocalChain, type Env } from "../fixtures/local-chain.ts";
import { startFaultProxy } from "../../scripts/lib/fault-proxy.ts";
import type { Step } from "../../oracle/daemon/pipeline.ts";
import type { RunningOracle } from "../../oracle/main/app.ts";
import { SimulatorBackend } from "../../oracle/simulator/backend.ts";
import type { DealProof } from "../../oracle/chain/dealproof.ts";

class Crash extends Error {}

const settledRow = (o: RunningOracle, id: bigint) => rowWhen(o, id);

/** Owner re-allows a measurement: a widening change, scheduled and executed at once (delay 0 locally). */
async function allowNow(dp: DealProof, measurement: string) {
  if (await dp.allowedMeasurements(measurement)) return;
  await (await dp.scheduleChange(1, measurement)).wait();
  const id = await dp.changeIdFor(1, measurement);
  await (await dp.executeChange(id)).wait();
}

describe("oracle daemon resilience", function () {
  this.timeout(180_000);
  let env: Env;
  useLocalChain((e) => (env = e));

  const steps: Step[] = [
    "open_inputs",
    "verify_dataset",
    "verify_email",
    "negotiate",
    "outcome_built",
    "submitted",
    "settled",
  ];
  for (const [i, step] of steps.entries()) {
    it(`killed at "${step}" and restarted, the deal settles exactly once`, async () => {
      let crashed = false;
      let first: RunningOracle | undefined = undefined;
      first = await oracle(
        env,
        { DEALPROOF_SETTLE_MODE: i % 2 === 0 ? "quote" : "signature" },
        {
          onStep: (s) => {
            if (s === step && !crashed) {
              crashed = true;
              first!.kill(); // the process dies here: nothing after this point runs
              throw new Crash(`crash at ${step}`);
            }
          },
        },
      );
      const deal = await runDeal(env, { buyerIx: [2, 4, 5, 6, 7][i % 5]! });
      await waitFor(`the crash at ${step}`, () => crashed || undefined);
      const second = await oracle(env, { DEALPROOF_SETTLE_MODE: i % 2 === 0 ? "quote" : "signature" });
      try {
        const row = await settledRow(second, deal.dealId);
        expect(row.status).to.equal("settled");
        expect((await settledEvents(env, deal.dealId)).length).to.equal(1);
      } finally {
        await second.stop();
      }
    });
  }

  it("a settlement the contract refuses stays pending with the reason, and settles once the owner fixes it", async () => {
    const measurement = SimulatorBackend.fromSeedFile(env.seedFile).measurementId();
    await (await env.dp.disallowMeasurement(measurement)).wait();
    const o = await oracle(env, { DEALPROOF_SETTLE_MODE: "quote" });
    try {
      const deal = await runDeal(env, { buyerIx: 11 });
      const refused = await waitFor("the refused settlement to be recorded", () => {
        const row = o.store.get(deal.dealId);
        return row !== undefined && row.attempts >= 2 ? row : undefined;
      });
      expect(refused.status).to.equal("outcome_built");
      expect(refused.last_error).to.match(/DealProof refuses settleWithQuote for now: MeasurementNotAllowed/);
      expect((await settledEvents(env, deal.dealId)).length).to.equal(0);
      expect((await env.dp.getDeal(deal.dealId)).state).to.equal(2n); // still Accepted, escrow held
      await allowNow(env.dp, measurement);
      const row = await settledRow(o, deal.dealId);
      expect(row.status).to.equal("settled");
      expect((await settledEvents(env, deal.dealId)).length).to.equal(1);
    } finally {
      await allowNow(env.dp, measurement);
      await o.stop();
    }
  });

  it("a settlement transaction that is mined but reverts is resubmitted, and the deal settles exactly once", async () => {
    const provider = env.chain.connection.ethers.provider;
    const measurement = SimulatorBackend.fromSeedFile(env.seedFile).measurementId();
    let phase: "idle" | "held" | "reverted" = "idle";
    let revertedTx: string | undefined;
    const o = await oracle(
      env,
      { DEALPROOF_SETTLE_MODE: "quote" },
      {
        onStep: async (step, id) => {
          if (phase === "idle" && step === "outcome_built") {
            await provider.send("evm_setAutomine", [false]); // hold the settlement in the mempool
            phase = "held";
          } else if (phase === "held" && step === "submitted") {
            // the owner's disallow, paying a higher tip, is mined first in the same block
            await env.dp.disallowMeasurement(measurement, {
              maxPriorityFeePerGas: 10n ** 11n,
              maxFeePerGas: 10n ** 12n,
            });
            await provider.send("evm_mine", []);
            await provider.send("evm_setAutomine", [true]);
            revertedTx = o.store.get(id)?.tx_hash ?? undefined;
            phase = "reverted";
          }
        },
      },
    );
    try {
      const deal = await runDeal(env, { buyerIx: 12, sellerIx: 3 });
      await waitFor("the settlement to revert on-chain", () => (phase === "reverted" ? true : undefined));
      const receipt = await provider.getTransactionReceipt(revertedTx!);
      expect(receipt?.status).to.equal(0); // mined, reverted
      expect((await env.dp.getDeal(deal.dealId)).state).to.equal(2n); // still Accepted
      await waitFor("the resubmission to be refused", () => {
        const row = o.store.get(deal.dealId);
        return row?.last_error?.includes("MeasurementNotAllowed") ? row : undefined;
      });
      await allowNow(env.dp, measurement);
      const row = await settledRow(o, deal.dealId);
      expect(row.tx_hash).to.not.equal(revertedTx);
      expect((await settledEvents(env, deal.dealId)).length).to.equal(1);
    } finally {
      await provider.send("evm_setAutomine", [true]);
      await allowNow(env.dp, measurement);
      await o.stop();
    }
  });

  it("settles through an RPC endpoint that drops, fails, loses answers to and delays requests", async () => {
    const proxy = await startFaultProxy(env.chain.url, { drop: 0.14, fail: 0.2, lose: 0.05, delayMs: 15 });
    const o = await oracle({ ...env, rpcUrl: proxy.url });
    try {
      const deals = [];
      for (let k = 0; k < 3; k++) deals.push(await runDeal(env, { buyerIx: 8 + k }));
      for (const d of deals) {
        await settledRow(o, d.dealId);
        expect((await settledEvents(env, d.dealId)).length).to.equal(1);
      }
      expect(proxy.stats.dropped + proxy.stats.failed + proxy.stats.lost).to.be.greaterThan(0);
    } finally {
      await o.stop();
      await proxy.close();
    }
  });

  it("settles 20 concurrent deals, each exactly once", async () => {
    const o = await oracle(env, { DEALPROOF_CONCURRENCY: "8" });
    try {
      const deals = [];
      for (let k = 0; k < 20; k++)
        deals.push(await runDeal(env, { buyerIx: [2, 4, 5, 6, 7, 8, 9, 10, 11, 12][k % 10]!, sellerIx: 3 }));
      for (const d of deals) await settledRow(o, d.dealId);
      for (const d of deals) expect((await settledEvents(env, d.dealId)).length).to.equal(1);
      expect(new Set(deals.map((d) => d.dealId)).size).to.equal(20);
    } finally {
      await o.stop();
    }
  });

  it("graceful stop waits for in-flight deals, and a restart resumes from the stored cursor", async () => {
    const o = await oracle(env);
    const deal = await runDeal(env, { buyerIx: 13 });
    await waitFor(
      "work to start",
      () => o.daemon.inFlight() > 0 || o.store.get(deal.dealId)?.status === "settled" || undefined,
    );
    await o.stop();
    const o2 = await oracle(env);
    try {
      await settledRow(o2, deal.dealId);
      expect((await settledEvents(env, deal.dealId)).length).to.equal(1);
      expect(o2.store.cursor()).to.be.a("number");
    } finally {
      await o2.stop();
    }
  });
});
