/**
 * The store's side of following the canonical chain (oracle/daemon/store.ts): a rewind to the
 * common ancestor reopens exactly what rested on the replaced blocks (our transactions mined
 * there, deals settled or closed on a fact there) and nothing below it, atomically with the
 * cursor; and a database file written before block hashes and final blocks existed still opens,
 * its rows intact, with the listener re-reading the last window once.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Provider } from "ethers";
import { Store } from "../../oracle/daemon/store.ts";
import { ChainListener, REORG_WINDOW } from "../../oracle/daemon/listener.ts";
import {
  acceptedEvent,
  createdEvent,
  DATA_ROOT,
  storedOutcome,
  submittedDeal as submitted,
} from "../fixtures/settlements.ts";

describe("oracle store: rewinding a reorganisation", () => {
  it("reopens what rested on the replaced blocks, and nothing below the ancestor", () => {
    const store = new Store(":memory:");
    const deep = submitted(store, 1n, 0); // settled by our receipt in block 4: below the ancestor
    store.settleNonce(0, "mined", 4);
    store.markSettled(1n, { settledBy: "oracle", txHash: deep, atBlock: 4 });
    const high = submitted(store, 2n, 1); // settled by our receipt in block 10: replaced
    store.settleNonce(1, "mined", 10);
    store.markSettled(2n, { settledBy: "oracle", txHash: high, atBlock: 10 });
    submitted(store, 3n, 2); // refunded as of block 12 (after our nonce went elsewhere)
    store.settleNonce(2, "dropped");
    store.resetSubmission(3n);
    store.markClosed(3n, "refunded: the deal was refunded", 12);
    store.applyEvents([createdEvent(4n, 2), acceptedEvent(4n)], 2);
    store.markClosed(4n, "deadline_passed: by the clock, not by a block");
    store.applyEvents([], 12, { hash: "0x" + "cc".repeat(32), keepFrom: 0 });
    store.applyEvents([], 7, { hash: "0x" + "bb".repeat(32), keepFrom: 0 });

    expect(store.reorgEpoch()).to.equal(0);
    expect(store.rewind(8)).to.deep.equal({ txs: 1, deals: 2 });
    expect(store.reorgEpoch()).to.equal(1);
    expect(store.cursor()).to.equal(8);
    expect(store.scannedBlocks().map((b) => b.number)).to.deep.equal([7]);

    expect(store.get(1n)).to.include({ status: "settled", final_block: 4, tx_hash: deep });
    expect(store.txByHash(deep)).to.include({ state: "mined", mined_block: 4 });
    // our receipt was in a replaced block: the transaction is pending again, the deal submitted
    expect(store.get(2n)).to.include({
      status: "submitted",
      tx_hash: high,
      settled_by: null,
      final_block: null,
    });
    expect(store.txByHash(high)).to.include({ state: "pending", mined_block: null });
    expect(store.pendingTxs().map((t) => t.hash)).to.deep.equal([high]);
    // the refund was read at a replaced block: back to be checked (its outcome kept)
    expect(store.get(3n)).to.include({ status: "outcome_built", tx_hash: null, final_block: null });
    expect(store.get(3n)!.outcome).to.deep.equal(storedOutcome(3n));
    // a dropped nonce stays dropped (its deal was already resubmitted) and a clock close stays
    expect(store.txsWithNonce(2).map((t) => t.state)).to.deep.equal(["dropped"]);
    expect(store.get(4n)!.status).to.equal("closed");
    expect(
      store
        .pending()
        .map((d) => d.id)
        .sort(),
    ).to.deep.equal([2n, 3n]);
  });

  it("opens a database written before block hashes (additive migration), and re-reads the last window once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "store-reorg-"));
    const file = join(dir, "old.sqlite");
    try {
      // the schema as the previous release wrote it: no blocks table, no final_block / mined_block
      const old = new DatabaseSync(file);
      old.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE deals (
          id TEXT PRIMARY KEY, buyer TEXT NOT NULL, seller TEXT NOT NULL, escrow TEXT NOT NULL,
          data_root TEXT NOT NULL, deadline INTEGER NOT NULL, sealed_buyer TEXT NOT NULL, sealed_seller TEXT,
          created_block INTEGER NOT NULL, status TEXT NOT NULL, outcome TEXT, tx_hash TEXT,
          attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, gas_used TEXT, updated_at INTEGER NOT NULL,
          settled_by TEXT, last_code TEXT, next_attempt_at INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE txs (
          hash TEXT PRIMARY KEY, purpose TEXT NOT NULL, deal_id TEXT, nonce INTEGER NOT NULL,
          raw TEXT NOT NULL, max_fee TEXT NOT NULL, priority_fee TEXT NOT NULL, gas_limit TEXT NOT NULL,
          to_addr TEXT NOT NULL, data TEXT NOT NULL, value TEXT NOT NULL, created_at INTEGER NOT NULL,
          state TEXT NOT NULL DEFAULT 'pending'
        );
        INSERT INTO meta VALUES ('cursor', '1000'), ('next_nonce', '1');
        INSERT INTO deals (id, buyer, seller, escrow, data_root, deadline, sealed_buyer, sealed_seller,
          created_block, status, tx_hash, updated_at, settled_by)
          VALUES ('9', '0x01', '0x02', '5', '${DATA_ROOT}', 2000000000, '0xaa', '0xbb', 990, 'settled', '0x99', 0, 'oracle');
        INSERT INTO txs VALUES ('0x99', 'settle', '9', 0, '0x02', '1', '1', '1', '0x03', '0x', '0', 0, 'mined');
      `);
      old.close();

      const store = new Store(file);
      expect(store.get(9n)).to.include({ status: "settled", final_block: null, tx_hash: "0x99" });
      expect(store.txByHash("0x99")).to.include({ state: "mined", mined_block: null });
      expect(store.cursor()).to.equal(1000);
      expect(store.nextNonce()).to.equal(1);
      expect(store.scannedBlocks()).to.deep.equal([]);

      // the listener cannot check an old cursor's hash: it reads the last window again, once
      const ranges: [number, number][] = [];
      const hashes = (n: number) => "0x" + n.toString(16).padStart(64, "0");
      const chain = {
        getBlockNumber: async () => 1002,
        getBlock: async (n: number) => ({ hash: hashes(n) }),
        getLogs: async (f: { fromBlock: number; toBlock: number }) => (
          ranges.push([f.fromBlock, f.toBlock]),
          []
        ),
      } as unknown as Provider;
      const listener = new ChainListener(chain, store, {
        address: "0x" + "00".repeat(20),
        startBlock: 1,
        confirmations: 2,
      });
      await listener.poll();
      expect(ranges).to.deep.equal([[1000 - REORG_WINDOW + 1, 1000]]);
      expect(store.scannedBlocks()).to.deep.equal([{ number: 1000, hash: hashes(1000) }]);
      expect(store.get(9n)!.status).to.equal("settled"); // no final block recorded: left as it was
      await listener.poll();
      expect(ranges).to.have.length(1); // the head did not move: nothing read again
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
