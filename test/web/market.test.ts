/**
 * The market's index from listing events (web/src/market.ts): listings newest-published first (an
 * update moves one to the top), sales counted from ListingDealCreated per listing, each listing's
 * seller, and a seller's own listings — from logs encoded by the ABI and decoded by the SDK as the
 * dapp decodes them.
 */
import { expect } from "chai";
import { Interface, getAddress, parseEther } from "ethers";
import { DEAL_PROOF_ABI } from "../../sdk/src/abi.ts";
import { decodeDealProofEvent } from "../../sdk/src/events.ts";
import type { HistoryLog } from "../../web/src/deal-history.ts";
import { marketIndex, sellerListings } from "../../web/src/market.ts";

const iface = new Interface(DEAL_PROOF_ABI);
const ALICE = getAddress("0x90f79bf6eb2c4f876e5c17a4a97b5c2b6cda05e6");
const BOB = getAddress("0x15d34aaf54267db7d7c367839aaf71a00a2c6a65");
const BUYER = getAddress("0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc");
const ROOT = (b: string) => `0x${b.repeat(32)}`;
const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
const terms = (metadataURI: string) => [1, parseEther("0.5"), 0n, 4096, 1n, 100n, ROOT("ee"), metadataURI];

function log(name: string, values: unknown[], tx: number): HistoryLog {
  const { data, topics } = iface.encodeEventLog(iface.getEvent(name)!, values);
  const e = decodeDealProofEvent({ data, topics });
  if (e === null) throw new Error(`${name} did not decode`);
  return { ...e, transactionHash: hash(tx) } as HistoryLog;
}
const published = (id: bigint, seller: string, root: string, version: number, tx: number) =>
  log("ListingPublished", [id, seller, root, version, terms(`ipfs://${id}`), "0x01"], tx);
const sold = (dealId: bigint, id: bigint, tx: number) =>
  log("ListingDealCreated", [dealId, id, BUYER, 1, parseEther("1"), 1_800_000_000n, "0x02"], tx);

describe("dapp market: the listings index", () => {
  it("orders listings by their latest publication, counts each one's sales and names its seller", () => {
    const idx = marketIndex([
      published(1n, ALICE, ROOT("a1"), 1, 1),
      published(2n, BOB, ROOT("b2"), 1, 2),
      sold(100n, 1n, 3),
      sold(101n, 1n, 4),
      published(1n, ALICE, ROOT("a1"), 2, 5), // an update moves listing 1 to the top
      log("ListingWithdrawn", [2n, 1], 6),
      sold(102n, 2n, 7),
    ]);
    expect(idx.ids).to.deep.equal([1n, 2n]);
    expect(idx.sales.get(1n)).to.equal(2);
    expect(idx.sales.get(2n)).to.equal(1);
    expect(idx.sellers.get(2n)).to.equal(BOB.toLowerCase());
    expect(sellerListings(idx, ALICE)).to.deep.equal([1n]);
    expect(sellerListings(idx, BUYER)).to.deep.equal([]);
  });

  it("shows a listing without sales as 0 sales, and no listings when there are no publications", () => {
    const idx = marketIndex([published(9n, BOB, ROOT("c3"), 1, 1)]);
    expect(idx.sales.get(9n)).to.equal(0);
    expect(marketIndex([sold(5n, 9n, 1)]).ids).to.deep.equal([]);
  });
});
