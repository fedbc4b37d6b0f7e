/**
 * oracle/chain/deal-events.ts: a deal's DealCreated and DealSettled records are read from the
 * chain's logs (what the contract does not store: the root, the original escrow, the outcome and
 * its delivery), null for a deal that does not exist or is not settled yet, and never another
 * deal's.
 */
import { expect } from "chai";
import { hexlify } from "ethers";
import {
  deployFixture,
  openDeal,
  outcome,
  registerOracle,
  sign,
  dataRoot,
  ESCROW,
} from "../fixtures/deal-proof.ts";
import { readDealCreated, readDealSettled } from "../../oracle/chain/deal-events.ts";
import { connectDealProof } from "../../oracle/chain/dealproof.ts";

describe("chain: a deal's events", () => {
  it("DealCreated and DealSettled as records, null before they happen, each deal's own", async () => {
    const f = await deployFixture();
    await registerOracle(f);
    const dp = connectDealProof(f.address, f.ethers.provider);
    expect(await readDealCreated(dp, 12345n, 0)).to.equal(null);

    const a = await openDeal(f, { root: dataRoot(2) });
    const b = await openDeal(f, { root: dataRoot(3), escrow: ESCROW / 2n });
    const created = await readDealCreated(dp, b.dealId, 0);
    expect(created).to.deep.include({
      dealId: b.dealId,
      buyer: f.buyer.address,
      seller: f.seller.address,
      dataRoot: dataRoot(3),
      escrow: ESCROW / 2n,
      deadline: BigInt(b.deadline),
    });
    expect(created!.txHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(await readDealCreated(dp, b.dealId, created!.blockNumber + 1), "not before fromBlock").to.equal(
      null,
    );
    expect(await readDealSettled(dp, a.dealId, 0), "not settled yet").to.equal(null);

    const s = outcome(a.dealId, { dataRoot: dataRoot(2) });
    await f.dealProof.connect(f.oracleSender).settleWithSignature(s, sign(f, s));
    const settled = await readDealSettled(dp, a.dealId, 0);
    expect(settled).to.deep.include({
      dealId: a.dealId,
      agreed: s.agreed,
      price: s.price,
      termsHash: s.termsHash,
      transcriptHash: s.transcriptHash,
      delivery: hexlify(s.delivery),
    });
    expect(await readDealSettled(dp, b.dealId, 0), "the other deal is still open").to.equal(null);
  });
});
