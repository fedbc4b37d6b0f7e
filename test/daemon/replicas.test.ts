/**
 * Several oracle replicas of one app on one contract (DESIGN.md §12), as real oracles (in this
 * process, each with its own instance id, database and sender): each deal is settled exactly
 * once, by its rank-0 replica, whose signer and instance id its terms carry, and the other
 * replica records it done without a submission; a replica killed for good has its deals taken
 * over before their deadlines; two replicas that both believe they own a deal (a forced split
 * view) land one settlement between them, at most one wasted transaction, nothing lost; a replica
 * that joins late records the deals already settled done without negotiating them.
 */
import { expect } from "chai";
import { join } from "node:path";
import { rankSigners } from "../../oracle/daemon/assignment.ts";
import type { RunningOracle } from "../../oracle/main/app.ts";
import { oracle, runDeal, rowWhen, settledEvents, waitFor } from "./harness.ts";
import { useLocalChain, type Env } from "../fixtures/local-chain.ts";
import { startFaultProxy } from "../../scripts/lib/fault-proxy.ts";

// hardhat's accounts #5 and #6: each replica pays for its own transactions (own nonces)
const SENDERS = [
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
];
const INSTANCES = ["a1".repeat(20), "b2".repeat(20)];

describe("replicas: several oracles of one app on one contract", function () {
  this.timeout(240_000);
  let env: Env;
  useLocalChain((e) => (env = e));
  const running: RunningOracle[] = [];
  afterEach(async () => {
    for (const o of running.splice(0)) await o.stop();
  });

  async function replicas(
    tag: string,
    over: Record<string, string> = {},
    split = false,
    rpcUrls: (string | undefined)[] = [],
  ) {
    const rs: RunningOracle[] = [];
    for (const [i, instance] of INSTANCES.entries()) {
      const r = await oracle(
        { ...env, rpcUrl: rpcUrls[i] ?? env.rpcUrl },
        {
          DEALPROOF_INSTANCE_ID: instance,
          DEALPROOF_SENDER_KEY: SENDERS[i]!,
          DEALPROOF_DB: join(env.dir, `${tag}-${i}.sqlite`),
          ...over,
        },
        split
          ? { liveSigners: (live) => live.filter((s) => s === rs[i]?.identity.address.toLowerCase()) }
          : {},
      );
      rs.push(r);
      running.push(r);
    }
    // both registrations are read by both (the set refreshes each tick)
    await waitFor("both replicas registered", async () => {
      for (const r of rs)
        if ((await env.dp.registrationOf(r.identity.address)).issuedAt === 0n) return undefined;
      return true;
    });
    return rs;
  }

  it("each deal is settled once, by its rank-0 replica, named in its terms; the other records it done", async () => {
    const rs = await replicas("normal");
    const signers = rs.map((r) => r.identity.address.toLowerCase());
    const deals = [];
    for (let i = 0; i < 4; i++) deals.push(await runDeal(env));
    for (const d of deals) {
      const first = rankSigners(d.dealId, signers)[0]!;
      const owner = rs.find((r) => r.identity.address.toLowerCase() === first)!;
      const other = rs.find((r) => r !== owner)!;
      const row = await rowWhen(owner, d.dealId, ["settled"], 60_000);
      expect(row.settled_by).to.equal("oracle");
      const terms = JSON.parse(row.outcome!.termsJson) as { oracle: { signer: string; instanceId: string } };
      expect(terms.oracle).to.deep.equal({
        signer: owner.identity.address,
        instanceId: owner.identity.instanceId,
      });
      expect(await settledEvents(env, d.dealId)).to.have.length(1);
      const seen = await rowWhen(other, d.dealId, ["settled"], 30_000);
      expect([seen.settled_by, seen.tx_hash]).to.deep.equal(["other", null]);
    }
    for (const r of rs) expect(r.store.wastedTxs()).to.equal(0);
  });

  it("a replica killed for good: its deals are taken over by the next rank before their deadlines", async () => {
    const rs = await replicas("takeover", { DEALPROOF_TAKEOVER_AFTER_S: "2" });
    const signers = rs.map((r) => r.identity.address.toLowerCase());
    const [dead, alive] = rs as [RunningOracle, RunningOracle];
    dead.kill();
    running.splice(running.indexOf(dead), 1);
    const deals = [];
    let takenOver = 0;
    // deals until at least two were the dead replica's (rank 0) to take over
    while (takenOver < 2 && deals.length < 12) {
      const d = await runDeal(env);
      deals.push(d);
      if (rankSigners(d.dealId, signers)[0] === dead.identity.address.toLowerCase()) takenOver++;
    }
    expect(takenOver).to.equal(2);
    for (const d of deals) {
      const row = await rowWhen(alive, d.dealId, ["settled"], 90_000);
      const mine = rankSigners(d.dealId, signers)[0] === alive.identity.address.toLowerCase();
      const terms = JSON.parse(row.outcome!.termsJson) as { oracle: { signer: string } };
      expect(terms.oracle.signer, mine ? "its own deal" : "a takeover").to.equal(alive.identity.address);
      expect(await settledEvents(env, d.dealId)).to.have.length(1);
    }
    expect(alive.store.wastedTxs()).to.equal(0);
  });

  it("a replica that joins (or restarts) late negotiates none of the deals another already settled", async () => {
    // found by bench:fleet: a joining replica re-negotiated every old deal (its takeover turn long
    // come) only to find it settled at submission, its slots busy while its own deals waited
    // takeover after 1 s: the other signer may be registered by an earlier test (its deals come
    // to the first at once), and the late one's turn has come for every old deal
    const start = async (i: number) => {
      const r = await oracle(env, {
        DEALPROOF_INSTANCE_ID: INSTANCES[i]!,
        DEALPROOF_SENDER_KEY: SENDERS[i]!,
        DEALPROOF_DB: join(env.dir, `late-${i}.sqlite`),
        DEALPROOF_TAKEOVER_AFTER_S: "1",
      });
      running.push(r);
      return r;
    };
    const first = await start(0);
    const deals = [await runDeal(env), await runDeal(env)];
    for (const d of deals) await rowWhen(first, d.dealId, ["settled"], 60_000);
    const late = await start(1);
    for (const d of deals) {
      const row = await rowWhen(late, d.dealId, ["settled", "closed"], 60_000);
      expect([row.status, row.settled_by, row.outcome, row.tx_hash]).to.deep.equal([
        "settled",
        "other",
        null,
        null,
      ]);
      expect(await settledEvents(env, d.dealId)).to.have.length(1);
    }
    expect(late.store.allTxs().filter((t) => t.purpose === "settle")).to.have.length(0);
  });

  it("a replica whose signer is revoked stops working; the other takes its deals at once", async () => {
    const rs = await replicas("revoked");
    const [revoked, other] = rs as [RunningOracle, RunningOracle];
    await (await env.dp.revokeSigner(revoked.identity.address)).wait();
    const deals = [];
    for (let i = 0; i < 4; i++) deals.push(await runDeal(env));
    for (const d of deals) {
      const row = await rowWhen(other, d.dealId, ["settled"], 60_000);
      const terms = JSON.parse(row.outcome!.termsJson) as { oracle: { signer: string } };
      expect(terms.oracle.signer).to.equal(other.identity.address);
      expect(await settledEvents(env, d.dealId)).to.have.length(1);
      const seen = await rowWhen(revoked, d.dealId, ["settled"], 30_000);
      expect([seen.settled_by, seen.outcome]).to.deep.equal(["other", null]);
    }
    expect(revoked.store.wastedTxs()).to.equal(0);
  });

  it("two replicas that both believe they own every deal: one settlement lands, at most one wasted tx, nothing lost", async () => {
    const rs = await replicas("split", {}, true);
    const deals = [];
    for (let i = 0; i < 3; i++) deals.push(await runDeal(env));
    for (const d of deals) {
      const rows = await Promise.all(rs.map((r) => rowWhen(r, d.dealId, ["settled", "closed"], 90_000)));
      expect(await settledEvents(env, d.dealId)).to.have.length(1);
      // exactly one replica's own transaction settled it; the other closed or recorded it done
      expect(rows.filter((r) => r.status === "settled" && r.settled_by === "oracle")).to.have.length(1);
    }
    const wasted = rs.reduce((n, r) => n + r.store.wastedTxs(), 0);
    expect(wasted).to.be.at.most(deals.length);
  });

  it("the RPC both replicas share fails for a while: no double settlement, every deal settles after", async () => {
    const proxy = await startFaultProxy(env.chain.url);
    try {
      const rs = await replicas("rpc-down", {}, false, [proxy.url, proxy.url]);
      proxy.set({ fail: 1 });
      const deals = [];
      for (let i = 0; i < 3; i++) deals.push(await runDeal(env)); // straight to the chain
      await new Promise((r) => setTimeout(r, 3000));
      expect(proxy.stats.failed).to.be.greaterThan(0);
      proxy.set({ fail: 0 });
      for (const d of deals) {
        await Promise.all(rs.map((r) => rowWhen(r, d.dealId, ["settled"], 90_000)));
        expect(await settledEvents(env, d.dealId)).to.have.length(1);
      }
      expect(rs.reduce((n, r) => n + r.store.wastedTxs(), 0)).to.equal(0);
    } finally {
      for (const o of running.splice(0)) await o.stop();
      await proxy.close();
    }
  });

  it("a replica with a stale chain view (its RPC lags): each deal still lands once, none is lost", async () => {
    const lagging = await startFaultProxy(env.chain.url, { delayMs: 300 });
    try {
      const rs = await replicas("stale", { DEALPROOF_TAKEOVER_AFTER_S: "2" }, false, [lagging.url]);
      const deals = [];
      for (let i = 0; i < 4; i++) deals.push(await runDeal(env));
      for (const d of deals) {
        await Promise.all(rs.map((r) => rowWhen(r, d.dealId, ["settled", "closed"], 120_000)));
        expect(await settledEvents(env, d.dealId)).to.have.length(1);
      }
      // at most one wasted transaction per deal taken over (here: none is, both are up)
      expect(rs.reduce((n, r) => n + r.store.wastedTxs(), 0)).to.be.at.most(deals.length);
    } finally {
      for (const o of running.splice(0)) await o.stop();
      await lagging.close();
    }
  });
});
