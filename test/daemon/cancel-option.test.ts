/**
 * DESIGN.md §2 through the real daemon on a local chain with a one-hour cancel notice: while the
 * buyer of an Accepted deal holds a live cancel request, the oracle builds the outcome but sends
 * no settlement carrying the delivery (a buyer that read it in the mempool could cancel ahead of
 * it and keep the key and the escrow); once the request lapses with the change, the deal settles,
 * once, and the buyer's cancel no longer completes.
 */
import { expect } from "chai";
import { hexlify, randomBytes, ZeroAddress } from "ethers";
import { oracle, runDeal, waitFor, settledEvents } from "./harness.ts";
import { useLocalChain, type Env } from "../fixtures/local-chain.ts";
import { CHANGE_KIND } from "../../sdk/src/deal-state.ts";
import { connectDealProof } from "../../oracle/chain/dealproof.ts";
import { at } from "../../scripts/lib/at.ts";

const ALLOW_MEASUREMENT = CHANGE_KIND.indexOf("AllowMeasurement");

describe("the oracle and the buyer's cancel option (real daemon, local chain, 1 h notice)", function () {
  this.timeout(180_000);
  let env: Env;
  let o: Awaited<ReturnType<typeof oracle>>;
  after(async () => {
    await o?.stop();
  });
  useLocalChain((e) => (env = e), { changeDelay: 7200n });

  it("sends no delivery while the buyer's request lives, settles once it lapsed with the change", async () => {
    expect(await env.dp.CANCEL_NOTICE()).to.equal(3600n);
    const value = hexlify(randomBytes(32));
    await (await env.dp.scheduleChange(ALLOW_MEASUREMENT, value)).wait();
    const changeId = await env.dp.changeIdFor(ALLOW_MEASUREMENT, value);
    // the oracle registers, then is down while the deal is made and the buyer asks to cancel
    const first = await oracle(env, { DEALPROOF_SETTLE_MODE: "signature" });
    await waitFor(
      "the oracle's registration",
      async () => (await env.dp.currentOracle()).signer !== ZeroAddress,
    );
    await first.stop();
    const deal = await runDeal(env);
    const buyer = connectDealProof(env.deployment.dealProof, at(env.signers, 2));
    await (await buyer.cancelDeal(deal.dealId)).wait();
    expect(await env.dp.buyerCancelLive(deal.dealId)).to.equal(true);
    // back up: the request is live from its first look at the deal
    o = await oracle(env, { DEALPROOF_SETTLE_MODE: "signature", DEALPROOF_RETRY_MAX_MS: "2000" });

    const id = deal.dealId;
    const waiting = await waitFor("the daemon to hold the settlement back", () => {
      const r = o.store.get(id);
      return r?.last_code === "deal.cancel_option_live" ? r : undefined;
    });
    expect(waiting.outcome?.settlement.agreed).to.equal(true);
    expect(o.store.allTxs().filter((t) => t.deal_id === id)).to.deep.equal([]);
    expect(await settledEvents(env, deal.dealId)).to.have.length(0);

    // the owner withdraws the change: the buyer's request lapses with it, and the deal settles
    await (await env.dp.cancelChange(changeId)).wait();
    expect(await env.dp.buyerCancelLive(deal.dealId)).to.equal(false);
    await waitFor(`deal ${id} to settle`, () => o.store.get(id)?.status === "settled", 60_000);
    expect(await settledEvents(env, deal.dealId)).to.have.length(1);
    expect(o.store.allTxs().filter((t) => t.deal_id === id && t.state === "mined")).to.have.length(1);
    const late = await buyer.cancelDeal(deal.dealId).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(late, "the buyer's cancel after settlement reverts").to.not.equal(undefined);
    expect((await env.dp.getDeal(deal.dealId)).state).to.equal(3n); // Settled
  });
});
