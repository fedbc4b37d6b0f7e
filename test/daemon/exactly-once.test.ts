/**
 * Exactly-once settlement (DESIGN.md §9): the signed transaction is stored before broadcast; after
 * a restart the same bytes are re-broadcast (even when the node never saw them); a slow one is
 * replaced only under the same nonce; a new nonce only once the old one went to another
 * transaction; our own settlement is recorded as ours. Failures are classified by code.
 */
import { expect } from "chai";
import { Transaction, Wallet } from "ethers";
import { oracle, runDeal, waitFor, settledEvents, rowWhen } from "./harness.ts";
import { useLocalChain, type Env } from "../fixtures/local-chain.ts";
import type { RunningOracle } from "../../oracle/main/app.ts";
import { LOCAL_SENDER_KEY } from "../../scripts/lib/local-oracle.ts";
import { isTransient, withRetry } from "../../oracle/chain/retry.ts";
import { RpcError } from "../../oracle/chain/errors.ts";

describe("exactly-once settlement (oracle/daemon/outbox.ts)", function () {
  this.timeout(120_000);
  let env: Env;
  const send = (m: string, p: unknown[] = []) => env.chain.connection.ethers.provider.send(m, p);
  useLocalChain((e) => (env = e));
  afterEach(async () => {
    await send("evm_setAutomine", [true]);
  });

  const settled = (o: RunningOracle, id: bigint) => rowWhen(o, id);

  it("a settlement the node never saw before a kill is re-broadcast unchanged after restart, and recorded as ours", async () => {
    let first: RunningOracle | undefined = undefined;
    let sentHash: string | undefined;
    let raw: string | undefined;
    first = await oracle(
      env,
      {},
      {
        onStep: async (step, id) => {
          if (step !== "submitted" || sentHash !== undefined) return;
          sentHash = first!.store.get(id)!.tx_hash!;
          raw = first!.store.txByHash(sentHash)!.raw;
          await send("hardhat_dropTransaction", [sentHash]); // as if the broadcast never left
          first!.kill();
          throw new Error("killed after storing, before the node kept it");
        },
      },
    );
    await send("evm_setAutomine", [false]);
    const deal = await runDealMined(env, 2);
    await waitFor("the kill", () => sentHash ?? undefined);
    const second = await oracle(env);
    try {
      await waitFor("the re-broadcast", async () =>
        (await env.chain.connection.ethers.provider.getTransaction(sentHash!)) !== null ? true : undefined,
      );
      await send("evm_mine");
      const row = await settled(second, deal.dealId);
      expect(row.tx_hash).to.equal(sentHash);
      expect(row.settled_by).to.equal("oracle");
      expect(Transaction.from(raw!).hash).to.equal(sentHash);
      expect(second.store.allTxs().filter((t) => t.deal_id === deal.dealId)).to.have.length(1);
      expect(await settledEvents(env, deal.dealId)).to.have.length(1);
      const api = (await (await fetch(`${second.url}/deals/${deal.dealId}`)).json()) as { settledBy: string };
      expect(api.settledBy).to.equal("oracle");
    } finally {
      await second.stop();
    }
  });

  it("a settlement left pending is replaced only under the same nonce (fee bump), and mined once", async () => {
    const o = await oracle(env, { DEALPROOF_BUMP_AFTER_MS: "1000" });
    await send("evm_setAutomine", [false]);
    try {
      const deal = await runDealMined(env, 4);
      const id = deal.dealId;
      const txs = await waitFor("a fee-bumped replacement", () => {
        const t = o.store.allTxs().filter((x) => x.deal_id === id);
        return t.length >= 2 ? t : undefined;
      });
      expect(new Set(txs.map((t) => t.nonce)).size).to.equal(1);
      expect(BigInt(txs[1]!.max_fee)).to.be.greaterThan(BigInt(txs[0]!.max_fee));
      expect(txs[1]!.data).to.equal(txs[0]!.data);
      await send("evm_mine");
      await send("evm_setAutomine", [true]);
      const row = await settled(o, deal.dealId);
      const mined = (await env.chain.connection.ethers.provider.getTransaction(row.tx_hash!))!;
      expect(mined.nonce).to.equal(txs[0]!.nonce);
      expect(await settledEvents(env, deal.dealId)).to.have.length(1);
    } finally {
      await o.stop();
    }
  });

  it("signs a new settlement only after its nonce went to another transaction", async () => {
    let held: string | undefined;
    const o = await oracle(
      env,
      {},
      {
        onStep: async (step, id) => {
          if (step === "submitted" && held === undefined) held = o.store.get(id)!.tx_hash!;
        },
      },
    );
    await send("evm_setAutomine", [false]);
    try {
      const deal = await runDealMined(env, 5);
      await waitFor("the settlement", () => held);
      const ours = o.store.txByHash(held!)!;
      // another process with the same key takes the nonce; the node forgets our transaction
      await send("hardhat_dropTransaction", [held]);
      const other = new Wallet(LOCAL_SENDER_KEY, env.chain.connection.ethers.provider);
      await other.sendTransaction({ to: other.address, value: 0n, nonce: ours.nonce, gasLimit: 21_000n });
      await send("evm_mine");
      await send("evm_setAutomine", [true]);
      const row = await settled(o, deal.dealId);
      expect(row.tx_hash).to.not.equal(held);
      const txs = o.store.allTxs().filter((t) => t.deal_id === deal.dealId);
      expect(txs.map((t) => t.state)).to.deep.equal(["dropped", "mined"]);
      expect(txs[1]!.nonce).to.be.greaterThan(ours.nonce);
      expect(await settledEvents(env, deal.dealId)).to.have.length(1);
    } finally {
      await o.stop();
    }
  });

  it("classifies failures by code, never by message text", async () => {
    const text503 = Object.assign(new Error("nonce too high: 0x02f8503504502..."), { code: "NONCE_EXPIRED" });
    expect(isTransient(text503)).to.equal(false);
    expect(isTransient(new Error("HTTP 503 socket hang up timeout ECONNRESET"))).to.equal(false);
    expect(isTransient(new RpcError("rpc.timeout", "x"))).to.equal(true);
    expect(isTransient(new RpcError("rpc.http_error", "x", { status: 503 }))).to.equal(true);
    expect(isTransient(new RpcError("rpc.http_error", "x", { status: 401 }))).to.equal(false);
    expect(isTransient(new RpcError("rpc.aborted", "x"))).to.equal(false);
    expect(isTransient(new Error("wrapped", { cause: new RpcError("rpc.unreachable", "x") }))).to.equal(true);
    let calls = 0;
    const fail = () => {
      calls++;
      return Promise.reject(new RpcError("rpc.unreachable", "x"));
    };
    await withRetry(fail, { attempts: 3, baseMs: 1 }).catch(() => undefined);
    expect(calls).to.equal(3);
    calls = 0;
    await withRetry(() => (calls++, Promise.reject(text503)), { attempts: 3, baseMs: 1 }).catch(
      () => undefined,
    );
    expect(calls).to.equal(1);
  });
});

/** Creates and accepts a deal while automine may be off (mining each party's transaction). */
async function runDealMined(env: Env, buyerIx: number) {
  const provider = env.chain.connection.ethers.provider;
  const auto = (await provider.send("hardhat_getAutomine", [])) as boolean;
  await provider.send("evm_setAutomine", [true]);
  try {
    return await runDeal(env, { buyerIx });
  } finally {
    await provider.send("evm_setAutomine", [auto]);
  }
}
