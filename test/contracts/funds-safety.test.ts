import { expect } from "chai";
import {
  deployFixture,
  registerOracle,
  outcome,
  sign,
  dataRoot,
  ESCROW,
  type Fixture,
} from "../fixtures/deal-proof.ts";

/** Creates and settles a deal between `buyer` and `seller` (either may be an attacker contract). */
async function settledDeal(
  f: Fixture,
  party: "buyer" | "seller",
  attacker: Awaited<ReturnType<typeof deploy>>,
) {
  const deadline = (await f.networkHelpers.time.latest()) + 3600;
  const attackerAddr = await attacker.getAddress();
  let dealId: bigint;
  if (party === "buyer") {
    dealId = await f.dealProof.dealIdFor(attackerAddr, f.seller.address, dataRoot(), deadline);
    await attacker.createDeal(f.seller.address, dataRoot(), deadline, { value: ESCROW });
    await f.dealProof.connect(f.seller).acceptDeal(dealId, "0x02");
  } else {
    dealId = await f.dealProof.dealIdFor(f.buyer.address, attackerAddr, dataRoot(), deadline);
    await f.dealProof
      .connect(f.buyer)
      .createDeal(attackerAddr, dataRoot(), deadline, "0x01", { value: ESCROW });
    await attacker.acceptDeal(dealId);
  }
  const s = outcome(dealId);
  await f.dealProof.settleWithSignature(s, sign(f, s));
  return s;
}

async function deploy(f: Fixture) {
  return f.ethers.deployContract("ReentrantParty", [await f.dealProof.getAddress()]);
}

/** What the deal still owes each party, and the contract's ETH balance (they must match). */
async function held(f: Fixture, dealId: bigint) {
  const d = await f.dealProof.getDeal(dealId);
  return {
    buyer: d.buyerPayout,
    seller: d.sellerPayout,
    total: d.escrow + d.buyerPayout + d.sellerPayout,
    balance: await f.ethers.provider.getBalance(f.dealProof),
  };
}

describe("DealProof: funds safety against hostile parties", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
    await registerOracle(f);
  });

  for (const party of ["buyer", "seller"] as const) {
    it(`a re-entering ${party} whose re-entry bubbles cannot withdraw twice; its payout stays`, async () => {
      const attacker = await deploy(f);
      const s = await settledDeal(f, party, attacker);
      const due = party === "seller" ? s.price : ESCROW - s.price;
      await attacker.setMode(1);
      await expect(attacker.withdraw()).to.be.revertedWithCustomError(f.dealProof, "WithdrawFailed");
      const h = await held(f, s.dealId);
      expect(h[party]).to.equal(due);
      expect([h.total, h.balance]).to.deep.equal([ESCROW, ESCROW]);
    });

    it(`a re-entering ${party} that swallows failures gets exactly its credit, once`, async () => {
      const attacker = await deploy(f);
      const s = await settledDeal(f, party, attacker);
      const due = party === "seller" ? s.price : ESCROW - s.price;
      await attacker.setMode(2);
      await expect(attacker.withdraw()).to.changeEtherBalances(
        f.ethers,
        [attacker, f.dealProof],
        [due, -due],
      );
      expect(await attacker.reentryAttempts()).to.equal(1n);
      expect(await attacker.reentrySuccesses()).to.equal(0n);
      const h = await held(f, s.dealId);
      expect(h[party]).to.equal(0n);
      expect([h.total, h.balance]).to.deep.equal([ESCROW - due, ESCROW - due]);
    });
  }

  it("a seller that rejects ETH keeps its payout and can route it with withdrawTo", async () => {
    const attacker = await deploy(f);
    const s = await settledDeal(f, "seller", attacker);
    await attacker.setMode(3);
    await expect(attacker.withdraw())
      .to.be.revertedWithCustomError(f.dealProof, "WithdrawFailed")
      .withArgs(await attacker.getAddress(), s.price);
    expect((await held(f, s.dealId)).seller).to.equal(s.price);
    // the buyer is not held hostage by the seller's refusal
    await expect(f.dealProof.connect(f.buyer).withdraw(s.dealId)).to.changeEtherBalance(
      f.ethers,
      f.buyer,
      ESCROW - s.price,
    );
    await expect(attacker.withdrawTo(f.stranger.address)).to.changeEtherBalance(
      f.ethers,
      f.stranger,
      s.price,
    );
    expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(0n);
  });
});
