/**
 * A deal's history from its events (web/src/deal-history.ts): escrow, deadline and parties from
 * the creation (direct or against a listing), the outcome, a cancellation, who withdrew, and one
 * transaction hash per step in order — from logs decoded by the SDK as the dapp decodes them.
 */
import { expect } from "chai";
import { Interface, getAddress, parseEther } from "ethers";
import { DEAL_PROOF_ABI } from "../../sdk/src/abi.ts";
import { decodeDealProofEvent } from "../../sdk/src/events.ts";
import { dealHistory, type HistoryLog } from "../../web/src/deal-history.ts";

const iface = new Interface(DEAL_PROOF_ABI);
const BUYER = getAddress("0x15d34aaf54267db7d7c367839aaf71a00a2c6a65");
const SELLER = getAddress("0x90f79bf6eb2c4f876e5c17a4a97b5c2b6cda05e6");
const ROOT = `0x${"5a".repeat(32)}`;
const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;

/** A log as the chain returns it, decoded by the SDK (the dapp's path), with its transaction. */
function log(name: string, values: unknown[], tx: number): HistoryLog {
  const ev = iface.getEvent(name)!;
  const { data, topics } = iface.encodeEventLog(ev, values);
  const e = decodeDealProofEvent({ data, topics });
  if (e === null) throw new Error(`${name} did not decode`);
  return { ...e, transactionHash: hash(tx) } as HistoryLog;
}

describe("dapp my deals: a deal's history", () => {
  it("reads a direct deal from creation to both withdrawals, one hash per step", () => {
    const h = dealHistory([
      log("DealCreated", [7n, BUYER, SELLER, ROOT, parseEther("2.5"), 1_800_000_000n, "0x01"], 1),
      log("DealAccepted", [7n, SELLER, "0x02"], 2),
      log("DealSettled", [7n, true, parseEther("1.5"), hash(9), hash(10), "0x03"], 3),
      log("Withdrawn", [7n, BUYER, BUYER, parseEther("1")], 4),
      log("Withdrawn", [7n, SELLER, SELLER, parseEther("1.5")], 5),
    ]);
    expect(h.buyer).to.equal(BUYER);
    expect(h.seller).to.equal(SELLER);
    expect(h.dataRoot).to.equal(ROOT);
    expect(h.escrow).to.equal(parseEther("2.5"));
    expect(h.deadline).to.equal(1_800_000_000);
    expect(h.settled).to.deep.equal({ agreed: true, price: parseEther("1.5") });
    expect(h.cancelled).to.equal(false);
    expect(h.listingId).to.equal(undefined);
    expect(h.withdrawnBy).to.deep.equal([BUYER.toLowerCase(), SELLER.toLowerCase()]);
    expect(h.txs.map((t) => [t.step, t.hash])).to.deep.equal([
      ["create", hash(1)],
      ["accept", hash(2)],
      ["settle", hash(3)],
      ["withdraw", hash(4)],
      ["withdraw", hash(5)],
    ]);
    expect(h.txs[3]!.by).to.equal(BUYER.toLowerCase());
  });

  it("reads a no-deal, a refund and a cancellation as such", () => {
    const created = log("DealCreated", [8n, BUYER, SELLER, ROOT, 10n, 5n, "0x01"], 1);
    const noDeal = dealHistory([created, log("DealSettled", [8n, false, 0n, hash(9), hash(10), "0x"], 2)]);
    expect(noDeal.settled).to.deep.equal({ agreed: false, price: 0n });
    const refunded = dealHistory([created, log("DealRefunded", [8n, 10n], 2)]);
    expect(refunded.cancelled).to.equal(false);
    expect(refunded.txs.map((t) => t.step)).to.deep.equal(["create", "refund"]);
    const cancelled = dealHistory([created, log("DealCancelled", [8n, SELLER, 10n], 2)]);
    expect(cancelled.cancelled).to.equal(true);
    expect(cancelled.txs.map((t) => t.step)).to.deep.equal(["create", "cancel"]);
  });

  it("takes a listing deal's creation (no acceptance) and ignores events it does not know", () => {
    const h = dealHistory([
      {
        name: "ListingDealCreated",
        transactionHash: hash(1),
        args: {
          dealId: 9n,
          listingId: 42n,
          buyer: BUYER,
          version: 1n,
          escrow: 3n,
          deadline: 99n,
          sealedBuyerInput: "0x",
        },
      },
      { name: "SomethingElse", transactionHash: hash(2), args: {} },
    ]);
    expect(h.listingId).to.equal(42n);
    expect(h.buyer).to.equal(BUYER);
    expect(h.seller).to.equal(undefined);
    expect([h.escrow, h.deadline]).to.deep.equal([3n, 99]);
    expect(h.txs).to.deep.equal([{ step: "create", hash: hash(1) }]);
  });
});
