/**
 * Chain reorganisations (DESIGN.md §9, issue 21): a real daemon (DEALPROOF_CONFIRMATIONS=2) on a
 * local node whose blocks are replaced with evm_snapshot / evm_revert and a new branch (another
 * account's transfer at a later time, so every replaced block gets a new hash; blocks are mined
 * one by one with evm_mine, since EDR's hardhat_mine reserves blocks whose past state reads empty). The node either
 * keeps our settlement (the revert puts it back in its mempool) or drops it
 * (hardhat_dropTransaction). Reorgs of depth 1 (above the final block) and 8 (below it) prove:
 * the store never says settled while the deal is Accepted at the final block; a dropped settlement
 * goes out again as the same signed bytes at its nonce; a later deal's settlement at the next
 * nonce mines; a nonce another transaction took in the new branch is re-signed at a fresh nonce;
 * a deal re-included below the old cursor is seen; nothing is settled twice.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { oracle, runDeal, waitFor, settledEvents, rowWhen } from "./harness.ts";
import { setupEnv, type Env } from "../fixtures/local-chain.ts";
import type { RunningOracle } from "../../oracle/main/app.ts";
import { LOCAL_SENDER_KEY } from "../../scripts/lib/local-oracle.ts";
import { at } from "../../scripts/lib/at.ts";

const CONFIRMATIONS = 2;
const SETTLED = 3n;

describe("chain reorganisations (oracle/daemon/listener.ts, outbox.ts)", function () {
  this.timeout(180_000);
  let env: Env;
  let o: RunningOracle;
  const provider = () => env.chain.connection.ethers.provider;
  const send = (m: string, p: unknown[] = []) => provider().send(m, p);
  /** Mines n blocks one by one (EDR's hardhat_mine reserves blocks whose past state reads empty). */
  const mine = async (n: number) => {
    for (let i = 0; i < n; i++) await send("evm_mine");
  };
  const sender = new Wallet(LOCAL_SENDER_KEY).address;

  before(async () => {
    env = await setupEnv();
    // the registration counts once CONFIRMATIONS deep: keep mining while the oracle starts
    let starting = true;
    const miner = (async () => {
      while (starting) {
        await send("evm_mine");
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      o = await oracle(env, { DEALPROOF_CONFIRMATIONS: String(CONFIRMATIONS) });
    } finally {
      starting = false;
      await miner;
    }
  });
  after(async () => {
    await o?.stop();
    await env.chain.close();
  });
  beforeEach(async () => {
    await send("evm_setAutomine", [false]);
  });
  afterEach(async () => {
    await send("evm_setAutomine", [true]);
    await storeAgreesWithChain();
  });

  /**
   * A deal created and accepted (each party's transaction mined in its own block), then
   * CONFIRMATIONS blocks so that the daemon acts on it.
   */
  async function openDeal(buyerIx: number) {
    await send("evm_setAutomine", [true]);
    try {
      return await runDeal(env, { buyerIx, sellerIx: buyerIx + 1 });
    } finally {
      await send("evm_setAutomine", [false]);
      await mine(CONFIRMATIONS);
    }
  }

  /** The deal's settlement, once the daemon sent it and the node holds it in its mempool. */
  async function sentSettlement(id: bigint) {
    const hash = await waitFor(`deal ${id}'s settlement`, () => o.store.get(id)?.tx_hash ?? undefined);
    await waitFor("the settlement in the mempool", async () =>
      (await provider().getTransaction(hash)) !== null ? true : undefined,
    );
    return o.store.txByHash(hash)!;
  }

  const settledRow = (id: bigint) => rowWhen(o, id, ["settled"], 30_000);

  /** The daemon has polled the chain at its current head (its cursor is CONFIRMATIONS below it). */
  async function caughtUp() {
    const head = await provider().getBlockNumber();
    await waitFor("the listener at the head", () =>
      o.store.cursor() === head - CONFIRMATIONS ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 300)); // a few more ticks (50 ms each) for the reconciliations
  }

  /**
   * Replaces every block above the snapshot: reverts to it, drops `drop` from the node's mempool,
   * then mines `blocks` blocks of a new branch whose first block differs (another account's
   * transfer, a later timestamp), with `also` sent into it.
   */
  async function reorg(snap: string, o2: { blocks: number; drop?: string[]; also?: () => Promise<unknown> }) {
    const before = await provider().getBlockNumber();
    expect(await send("evm_revert", [snap])).to.equal(true);
    for (const h of o2.drop ?? []) await send("hardhat_dropTransaction", [h]);
    const base = (await provider().getBlock("latest"))!;
    await send("evm_setNextBlockTimestamp", [base.timestamp + 11]);
    const filler = at(env.signers, 19);
    await filler.sendTransaction({ to: await filler.getAddress(), value: 1n });
    await o2.also?.();
    if (o2.blocks > 0) await mine(o2.blocks);
    return { depth: before - base.number, base: base.number };
  }

  /** Invariant: every deal the store calls settled is Settled on-chain at the final block. */
  async function storeAgreesWithChain() {
    await caughtUp();
    const final = o.store.cursor()!;
    const settled = o.store.db.prepare("SELECT id FROM deals WHERE status = 'settled'").all() as {
      id: string;
    }[];
    for (const { id } of settled)
      expect((await env.dp.getDeal(BigInt(id), { blockTag: final })).state, `deal ${id}`).to.equal(SETTLED);
  }

  async function onceOnChain(id: bigint) {
    expect(await settledEvents(env, id)).to.have.length(1);
    const txs = o.store.allTxs().filter((t) => t.deal_id === id && t.state === "mined");
    expect(txs).to.have.length(1);
  }

  for (const keep of [true, false]) {
    it(`depth 1, the node ${keep ? "keeps" : "drops"} the settlement: settled only once final, the same transaction`, async () => {
      const deal = await openDeal(keep ? 2 : 14);
      const tx = await sentSettlement(deal.dealId);
      const snap = (await send("evm_snapshot")) as string;
      await mine(1); // included, one block deep: not final at CONFIRMATIONS=2
      await caughtUp();
      expect(o.store.get(deal.dealId)!.status).to.equal("submitted");
      const r = await reorg(snap, { blocks: 1, drop: keep ? [] : [tx.hash] });
      expect(r.depth).to.equal(1);
      // kept: the new branch's block holds it again (one deep); dropped: the daemon sends it again
      if (!keep)
        await waitFor("the same bytes re-broadcast", async () =>
          (await provider().getTransaction(tx.hash)) !== null ? true : undefined,
        );
      // at most one block deep now (kept, or re-sent and perhaps already mined): not final
      expect(o.store.get(deal.dealId)!.status).to.equal("submitted");
      await mine(1 + CONFIRMATIONS);
      const row = await settledRow(deal.dealId);
      expect(row.tx_hash).to.equal(tx.hash); // the same signed bytes
      expect(o.store.allTxs().filter((t) => t.deal_id === deal.dealId)).to.have.length(1);
      await onceOnChain(deal.dealId);
    });
  }

  it("depth 8, the node keeps a final settlement: the deal is reopened and settled again in the new branch", async () => {
    const deal = await openDeal(4);
    const tx = await sentSettlement(deal.dealId);
    const snap = (await send("evm_snapshot")) as string;
    await mine(8);
    await settledRow(deal.dealId);
    const oldBlock = (await provider().getTransactionReceipt(tx.hash))!.blockHash;
    const epoch = o.store.reorgEpoch();
    const r = await reorg(snap, { blocks: 9 });
    expect(r.depth).to.equal(8);
    await waitFor("the rewind", () => (o.store.reorgEpoch() > epoch ? true : undefined));
    const row = await settledRow(deal.dealId);
    expect(row.tx_hash).to.equal(tx.hash);
    const receipt = (await provider().getTransactionReceipt(tx.hash))!;
    expect(row.final_block).to.equal(receipt.blockNumber);
    expect(receipt.blockHash).to.not.equal(oldBlock); // settled again, on the new branch's block
    await onceOnChain(deal.dealId);
  });

  it("depth 8, the node drops a final settlement: re-sent unchanged at its nonce, and the next deal's settlement at the next nonce mines", async () => {
    const a = await openDeal(6);
    const txA = await sentSettlement(a.dealId);
    const snap = (await send("evm_snapshot")) as string;
    await mine(8);
    await settledRow(a.dealId);
    let b: Awaited<ReturnType<typeof openDeal>> | undefined;
    const r = await reorg(snap, {
      blocks: 9,
      drop: [txA.hash],
      // a second deal in the new branch, while the first settlement is lost or being re-sent
      also: async () => void (b = await openDeal(8)),
    });
    expect(r.depth).to.equal(8);
    const txB = await sentSettlement(b!.dealId);
    expect(txB.nonce).to.equal(txA.nonce + 1); // not past a nonce the chain has not used
    await mine(1 + CONFIRMATIONS);
    expect((await settledRow(a.dealId)).tx_hash).to.equal(txA.hash); // the same signed bytes
    expect((await settledRow(b!.dealId)).tx_hash).to.equal(txB.hash);
    expect(await provider().getTransactionCount(sender, "latest")).to.equal(txB.nonce + 1);
    expect(o.store.allTxs().filter((t) => t.deal_id === a.dealId)).to.have.length(1);
    await onceOnChain(a.dealId);
    await onceOnChain(b!.dealId);
  });

  it("depth 8, another transaction takes the nonce in the new branch: the settlement is re-signed at a fresh nonce, once", async () => {
    const deal = await openDeal(10);
    const tx = await sentSettlement(deal.dealId);
    const snap = (await send("evm_snapshot")) as string;
    await mine(8);
    await settledRow(deal.dealId);
    const other = new Wallet(LOCAL_SENDER_KEY, provider());
    await reorg(snap, {
      blocks: 9,
      drop: [tx.hash],
      // priced to replace ours, should the daemon have re-sent it into the mempool already
      also: () =>
        other.sendTransaction({
          to: other.address,
          value: 0n,
          nonce: tx.nonce,
          gasLimit: 21_000n,
          maxFeePerGas: 100n * 10n ** 9n,
          maxPriorityFeePerGas: 10n * 10n ** 9n,
        }),
    });
    const resigned = await waitFor("a new settlement", () =>
      o.store.allTxs().find((t) => t.deal_id === deal.dealId && t.hash !== tx.hash),
    );
    expect(resigned.nonce).to.equal(tx.nonce + 1);
    expect(o.store.txByHash(tx.hash)!.state).to.equal("dropped");
    await waitFor("the new settlement in the mempool", async () =>
      (await provider().getTransaction(resigned.hash)) !== null ? true : undefined,
    );
    await mine(1 + CONFIRMATIONS);
    expect((await settledRow(deal.dealId)).tx_hash).to.equal(resigned.hash);
    await onceOnChain(deal.dealId);
  });

  it("depth 8: a deal the new branch includes below the old cursor is seen and settled", async () => {
    const snap = (await send("evm_snapshot")) as string;
    await mine(8);
    await caughtUp();
    const oldCursor = o.store.cursor()!;
    let deal: Awaited<ReturnType<typeof openDeal>> | undefined;
    const r = await reorg(snap, {
      blocks: 0,
      also: async () => {
        deal = await openDeal(12); // in the new branch's first blocks, below the old cursor
      },
    });
    await mine(8);
    expect(r.depth).to.equal(8);
    expect(await acceptedBlock(deal!.dealId)).to.be.lessThan(oldCursor);
    const tx = await sentSettlement(deal!.dealId);
    await mine(1 + CONFIRMATIONS);
    expect((await settledRow(deal!.dealId)).tx_hash).to.equal(tx.hash);
    await onceOnChain(deal!.dealId);
  });

  /** The block of the deal's DealAccepted event. */
  async function acceptedBlock(id: bigint) {
    const evs = await env.dp.queryFilter(env.dp.filters.DealAccepted(id), env.deployment.deployBlock);
    return evs[0]?.blockNumber;
  }
});
