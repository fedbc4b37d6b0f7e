/**
 * The listener's reading of the listing events (oracle/daemon/listener.ts) from raw logs, as a
 * hostile or newer contract could emit them: a ListingPublished whose pricing mode is none this
 * oracle knows is refused — the version is not stored, a deal bought under it is not worked (its
 * escrow stays refundable at the deadline) — never read as a negotiated listing; a known mode next
 * to it is stored as emitted.
 */
import { expect } from "chai";
import { AbiCoder, Wallet, zeroPadValue, toBeHex, type Provider } from "ethers";
import { Store } from "../../oracle/daemon/store.ts";
import { ChainListener, listingEvent } from "../../oracle/daemon/listener.ts";
import { listingEventsInterface } from "../../oracle/chain/dealproof.ts";

const CONTRACT = Wallet.createRandom().address;
const SELLER = Wallet.createRandom().address;
const BUYER = Wallet.createRandom().address;
const ROOT = "0x" + "ab".repeat(32);

function published(listingId: bigint, mode: number, blockNumber: number) {
  const ev = listingEventsInterface.getEvent("ListingPublished")!;
  const terms = [mode, 10n ** 15n, 0n, 1024n, 4n, 4096n, "0x" + "11".repeat(32), "ipfs://meta"];
  // the ABI coder refuses nothing about a uint8's value: the log carries whatever the emitter wrote
  const data = AbiCoder.defaultAbiCoder().encode(
    ["uint32", "(uint8,uint96,uint64,uint32,uint64,uint64,bytes32,string)", "bytes"],
    [1, terms, "0x" + "22".repeat(80)],
  );
  const topics = [ev.topicHash, toBeHex(listingId, 32), zeroPadValue(SELLER, 32), ROOT];
  return { topics, data, blockNumber, index: 0, address: CONTRACT };
}

function dealOn(listingId: bigint, dealId: bigint, blockNumber: number) {
  const log = listingEventsInterface.encodeEventLog("ListingDealCreated", [
    dealId,
    listingId,
    BUYER,
    1,
    10n ** 16n,
    2_000_000_000n,
    "0x" + "33".repeat(80),
  ]);
  return { ...log, blockNumber, index: 1, address: CONTRACT };
}

/** A node holding `logs` in blocks 1..3 (only what the listener calls). */
function nodeWith(logs: ReturnType<typeof published>[]): Provider {
  const block = (n: number) => ({
    number: n,
    hash: "0x" + n.toString(16).padStart(64, "0"),
    timestamp: 1000 + n,
  });
  return {
    getBlockNumber: async () => 3,
    getBlock: async (n: number) => block(n),
    getLogs: async () => logs,
  } as unknown as Provider;
}

describe("oracle listener: listing events from raw logs", () => {
  it("refuses a listing version with an unknown pricing mode, and the deal bought under it; stores a known one", async () => {
    expect(listingEvent(published(7n, 2, 1))).to.equal("refused");
    expect(listingEvent(published(7n, 255, 1))).to.equal("refused");
    const known = listingEvent(published(8n, 1, 1));
    expect(known).to.include({ kind: "listing_published", listingId: 8n, version: 1 });
    expect((known as { terms: { mode: string } }).terms.mode).to.equal("posted");

    const store = new Store(":memory:");
    const warnings: unknown[] = [];
    const logger = { warn: (o: unknown) => warnings.push(o), info: () => {}, error: () => {} };
    const listener = new ChainListener(
      nodeWith([published(7n, 2, 1), published(8n, 0, 2), dealOn(7n, 70n, 3), dealOn(8n, 80n, 3)]),
      store,
      { address: CONTRACT, startBlock: 1, confirmations: 0, logger: logger as never },
    );
    await listener.poll();
    expect(store.listings.get(7n, 1)).to.equal(undefined);
    expect(store.listings.get(8n, 1)!.terms.mode).to.equal("negotiated");
    expect(store.get(70n)).to.equal(undefined); // never worked: nothing sent for it
    expect(store.get(80n)).to.include({ status: "accepted", listing_version: 1 });
    expect(store.cursor()).to.equal(3); // the pass went on past the refused event
    expect(warnings).to.have.length(1);
  });
});
