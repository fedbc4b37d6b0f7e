/**
 * DealEscrow, the deals of DealProof: createDeal, acceptDeal, refund and withdraw, and leaving a
 * deal while a widening change of the trust policy is pending (cancelDeal, the buyer's two-step
 * cancellation of an Accepted deal, cancel requests that lapse). Every refusal asserts its
 * custom error and that nothing moved.
 */
import { expect } from "chai";
import { hexlify, randomBytes, zeroPadValue, ZeroAddress } from "ethers";
import {
  deployFixture,
  openDeal,
  outcome,
  registerOracle,
  sign,
  dataRoot,
  ESCROW,
  TTL,
  FRESHNESS,
  KIND,
  OPEN,
  ACCEPTED,
  SETTLED,
  REFUNDED,
  DAY,
  state,
  payouts,
  minedAt,
  type Fixture,
} from "../fixtures/deal-proof.ts";

describe("DealProof: deal life cycle", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
  });

  describe("createDeal", () => {
    it("escrows the value, stores the deal under dealIdFor and emits the sealed input", async () => {
      const deadline = (await f.networkHelpers.time.latest()) + 3600;
      const id = await f.dealProof.dealIdFor(f.buyer.address, f.seller.address, dataRoot(), deadline);
      const tx = await f.dealProof
        .connect(f.buyer)
        .createDeal(f.seller.address, dataRoot(), deadline, "0xc0ffee", { value: ESCROW });
      await expect(tx)
        .to.emit(f.dealProof, "DealCreated")
        .withArgs(id, f.buyer.address, f.seller.address, dataRoot(), ESCROW, deadline, "0xc0ffee");
      await expect(tx).to.changeEtherBalances(f.ethers, [f.buyer, f.dealProof], [-ESCROW, ESCROW]);
      const d = await f.dealProof.getDeal(id);
      expect([d.buyer, d.seller, d.escrow, d.deadline, d.state, d.buyerPayout, d.sellerPayout]).to.deep.equal(
        [f.buyer.address, f.seller.address, ESCROW, BigInt(deadline), OPEN, 0n, 0n],
      );
      // the id is keccak256(abi.encode(chainId, contract, buyer, seller, dataRoot, deadline))
      const coder = f.ethers.AbiCoder.defaultAbiCoder();
      const expected = f.ethers.keccak256(
        coder.encode(
          ["uint256", "address", "address", "address", "bytes32", "uint64"],
          [f.chainId, f.address, f.buyer.address, f.seller.address, dataRoot(), deadline],
        ),
      );
      expect(id).to.equal(BigInt(expected));
    });

    it("refuses a second deal with the same seller, root and deadline (DealExists); another deadline is a new deal", async () => {
      const deadline = (await f.networkHelpers.time.latest()) + 3600;
      const id = await f.dealProof.dealIdFor(f.buyer.address, f.seller.address, dataRoot(), deadline);
      await f.dealProof
        .connect(f.buyer)
        .createDeal(f.seller.address, dataRoot(), deadline, "0x", { value: ESCROW });
      await expect(
        f.dealProof.connect(f.buyer).createDeal(f.seller.address, dataRoot(), deadline, "0x", { value: 1n }),
      )
        .to.be.revertedWithCustomError(f.dealProof, "DealExists")
        .withArgs(id);
      expect((await f.dealProof.getDeal(id)).escrow).to.equal(ESCROW);
      expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(ESCROW);
      await f.dealProof
        .connect(f.buyer)
        .createDeal(f.seller.address, dataRoot(), deadline + 1, "0x", { value: 1n });
      expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(ESCROW + 1n);
    });

    it("refuses an escrow above 2^88 - 1 wei (InvalidEscrow)", async () => {
      const deadline = (await f.networkHelpers.time.latest()) + 3600;
      const tooMuch = 2n ** 88n;
      await f.networkHelpers.setBalance(f.buyer.address, tooMuch * 2n);
      await expect(
        f.dealProof
          .connect(f.buyer)
          .createDeal(f.seller.address, dataRoot(), deadline, "0x", { value: tooMuch }),
      )
        .to.be.revertedWithCustomError(f.dealProof, "InvalidEscrow")
        .withArgs(tooMuch);
      await f.dealProof
        .connect(f.buyer)
        .createDeal(f.seller.address, dataRoot(), deadline, "0x", { value: tooMuch - 1n });
      expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(tooMuch - 1n);
    });

    const bad: [string, (f: Fixture, deadline: number) => Promise<unknown>, string][] = [
      [
        "zero seller",
        (f, d) => f.dealProof.connect(f.buyer).createDeal(ZeroAddress, dataRoot(), d, "0x", { value: 1 }),
        "InvalidSeller",
      ],
      [
        "buyer as seller",
        (f, d) => f.dealProof.connect(f.buyer).createDeal(f.buyer.address, dataRoot(), d, "0x", { value: 1 }),
        "InvalidSeller",
      ],
      [
        "no escrow",
        (f, d) =>
          f.dealProof.connect(f.buyer).createDeal(f.seller.address, dataRoot(), d, "0x", { value: 0 }),
        "InvalidEscrow",
      ],
      [
        "zero data root",
        (f, d) =>
          f.dealProof.connect(f.buyer).createDeal(f.seller.address, dataRoot(0), d, "0x", { value: 1 }),
        "InvalidDataRoot",
      ],
      [
        "deadline in the past",
        (f, d) =>
          f.dealProof.connect(f.buyer).createDeal(f.seller.address, dataRoot(), d - 7200, "0x", { value: 1 }),
        "InvalidDeadline",
      ],
      [
        "deadline beyond a year",
        (f, d) =>
          f.dealProof
            .connect(f.buyer)
            .createDeal(f.seller.address, dataRoot(), d + 366 * 86400, "0x", { value: 1 }),
        "InvalidDeadline",
      ],
      [
        "sealed input over 64 KiB",
        (f, d) =>
          f.dealProof
            .connect(f.buyer)
            .createDeal(f.seller.address, dataRoot(), d, new Uint8Array(65537), { value: 1 }),
        "SealedInputTooLarge",
      ],
    ];
    for (const [name, call, error] of bad) {
      it(`refuses ${name} (${error}) and keeps nothing`, async () => {
        const deadline = (await f.networkHelpers.time.latest()) + 3600;
        const before = await f.ethers.provider.getBalance(f.dealProof);
        await expect(call(f, deadline)).to.be.revertedWithCustomError(f.dealProof, error);
        expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(before);
        expect(await f.dealProof.queryFilter(f.dealProof.filters.DealCreated())).to.have.length(0);
      });
    }

    it("accepts exactly 64 KiB of sealed input", async () => {
      const deadline = (await f.networkHelpers.time.latest()) + 3600;
      await expect(
        f.dealProof
          .connect(f.buyer)
          .createDeal(f.seller.address, dataRoot(), deadline, new Uint8Array(65536), { value: 1 }),
      ).to.emit(f.dealProof, "DealCreated");
    });
  });

  describe("acceptDeal", () => {
    it("lets the named seller accept and emits the sealed input", async () => {
      const { dealId } = await openDeal(f, { accept: false });
      await expect(f.dealProof.connect(f.seller).acceptDeal(dealId, "0xbeef"))
        .to.emit(f.dealProof, "DealAccepted")
        .withArgs(dealId, f.seller.address, "0xbeef");
      expect(await state(f, dealId)).to.equal(ACCEPTED);
    });
    it("refuses anyone but the seller", async () => {
      const { dealId } = await openDeal(f, { accept: false });
      await expect(f.dealProof.connect(f.stranger).acceptDeal(dealId, "0x"))
        .to.be.revertedWithCustomError(f.dealProof, "NotSeller")
        .withArgs(dealId, f.stranger.address);
      expect(await state(f, dealId)).to.equal(OPEN);
    });
    it("refuses an unknown deal and a deal already accepted", async () => {
      await expect(f.dealProof.connect(f.seller).acceptDeal(42n, "0x"))
        .to.be.revertedWithCustomError(f.dealProof, "InvalidState")
        .withArgs(42n, 0n);
      const { dealId } = await openDeal(f);
      await expect(f.dealProof.connect(f.seller).acceptDeal(dealId, "0x"))
        .to.be.revertedWithCustomError(f.dealProof, "InvalidState")
        .withArgs(dealId, ACCEPTED);
    });
    it("refuses after the deadline", async () => {
      const { dealId, deadline } = await openDeal(f, { accept: false });
      await f.networkHelpers.time.increaseTo(deadline + 1);
      await expect(f.dealProof.connect(f.seller).acceptDeal(dealId, "0x"))
        .to.be.revertedWithCustomError(f.dealProof, "DeadlinePassed")
        .withArgs(dealId, deadline);
      expect(await state(f, dealId)).to.equal(OPEN);
    });
    it("refuses an oversized sealed input", async () => {
      const { dealId } = await openDeal(f, { accept: false });
      await expect(f.dealProof.connect(f.seller).acceptDeal(dealId, new Uint8Array(65537)))
        .to.be.revertedWithCustomError(f.dealProof, "SealedInputTooLarge")
        .withArgs(65537n, 65536n);
    });
  });

  describe("refund", () => {
    it("refuses before the deadline, then makes the escrow the buyer's payout exactly once", async () => {
      const { dealId, deadline } = await openDeal(f);
      await expect(f.dealProof.refund(dealId))
        .to.be.revertedWithCustomError(f.dealProof, "DeadlineNotPassed")
        .withArgs(dealId, deadline);
      await f.networkHelpers.time.increaseTo(deadline + 1);
      await expect(f.dealProof.connect(f.stranger).refund(dealId))
        .to.emit(f.dealProof, "DealRefunded")
        .withArgs(dealId, ESCROW);
      expect(await payouts(f, dealId)).to.deep.equal([ESCROW, 0n]);
      expect(await state(f, dealId)).to.equal(REFUNDED);
      await expect(f.dealProof.refund(dealId))
        .to.be.revertedWithCustomError(f.dealProof, "InvalidState")
        .withArgs(dealId, REFUNDED);
      expect(await payouts(f, dealId)).to.deep.equal([ESCROW, 0n]);
      const d = await f.dealProof.getDeal(dealId);
      expect([d.escrow, d.deadline]).to.deep.equal([0n, 0n]);
    });
    it("refunds a deal the seller never accepted", async () => {
      const { dealId, deadline } = await openDeal(f, { accept: false });
      await f.networkHelpers.time.increaseTo(deadline + 1);
      await f.dealProof.refund(dealId);
      expect(await payouts(f, dealId)).to.deep.equal([ESCROW, 0n]);
    });
    it("refuses an unknown deal and a settled deal", async () => {
      await expect(f.dealProof.refund(7n))
        .to.be.revertedWithCustomError(f.dealProof, "InvalidState")
        .withArgs(7n, 0n);
      await registerOracle(f);
      const { dealId, deadline } = await openDeal(f);
      const s = outcome(dealId);
      await f.dealProof.settleWithSignature(s, sign(f, s));
      await f.networkHelpers.time.increaseTo(deadline + 1);
      await expect(f.dealProof.refund(dealId))
        .to.be.revertedWithCustomError(f.dealProof, "InvalidState")
        .withArgs(dealId, SETTLED);
    });
  });

  describe("withdraw", () => {
    it("pays the whole payout once", async () => {
      const { dealId, deadline } = await openDeal(f);
      await f.networkHelpers.time.increaseTo(deadline + 1);
      await f.dealProof.refund(dealId);
      const tx = await f.dealProof.connect(f.buyer).withdraw(dealId);
      await expect(tx)
        .to.emit(f.dealProof, "Withdrawn")
        .withArgs(dealId, f.buyer.address, f.buyer.address, ESCROW);
      await expect(tx).to.changeEtherBalances(f.ethers, [f.buyer, f.dealProof], [ESCROW, -ESCROW]);
      await expect(f.dealProof.connect(f.buyer).withdraw(dealId)).to.be.revertedWithCustomError(
        f.dealProof,
        "NothingToWithdraw",
      );
      expect(await state(f, dealId)).to.equal(REFUNDED);
    });

    it("pays each party its own share of a settled deal, in either order", async () => {
      await registerOracle(f);
      const { dealId } = await openDeal(f);
      const s = outcome(dealId);
      await f.dealProof.settleWithSignature(s, sign(f, s));
      await expect(f.dealProof.connect(f.seller).withdraw(dealId)).to.changeEtherBalances(
        f.ethers,
        [f.seller, f.dealProof],
        [s.price, -s.price],
      );
      expect(await payouts(f, dealId)).to.deep.equal([ESCROW - s.price, 0n]);
      await expect(f.dealProof.connect(f.seller).withdraw(dealId)).to.be.revertedWithCustomError(
        f.dealProof,
        "NothingToWithdraw",
      );
      await expect(f.dealProof.connect(f.buyer).withdraw(dealId)).to.changeEtherBalances(
        f.ethers,
        [f.buyer, f.dealProof],
        [ESCROW - s.price, -(ESCROW - s.price)],
      );
      expect(await payouts(f, dealId)).to.deep.equal([0n, 0n]);
      expect(await state(f, dealId)).to.equal(SETTLED);
    });

    it("refuses a stranger (NotParty), a live deal and an unknown deal (InvalidState); nothing moves", async () => {
      const live = await openDeal(f);
      await expect(f.dealProof.connect(f.buyer).withdraw(live.dealId))
        .to.be.revertedWithCustomError(f.dealProof, "InvalidState")
        .withArgs(live.dealId, ACCEPTED);
      await expect(f.dealProof.connect(f.buyer).withdraw(42n))
        .to.be.revertedWithCustomError(f.dealProof, "InvalidState")
        .withArgs(42n, 0n);
      await f.networkHelpers.time.increaseTo(live.deadline + 1);
      await f.dealProof.refund(live.dealId);
      await expect(f.dealProof.connect(f.stranger).withdraw(live.dealId))
        .to.be.revertedWithCustomError(f.dealProof, "NotParty")
        .withArgs(live.dealId, f.stranger.address);
      await expect(f.dealProof.connect(f.stranger).withdrawTo(live.dealId, f.stranger.address))
        .to.be.revertedWithCustomError(f.dealProof, "NotParty")
        .withArgs(live.dealId, f.stranger.address);
      // a refunded deal owes the seller nothing
      await expect(f.dealProof.connect(f.seller).withdraw(live.dealId)).to.be.revertedWithCustomError(
        f.dealProof,
        "NothingToWithdraw",
      );
      expect(await payouts(f, live.dealId)).to.deep.equal([ESCROW, 0n]);
      expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(ESCROW);
    });
    it("withdrawTo pays another address and refuses the zero address", async () => {
      const { dealId, deadline } = await openDeal(f);
      await f.networkHelpers.time.increaseTo(deadline + 1);
      await f.dealProof.refund(dealId);
      await expect(
        f.dealProof.connect(f.buyer).withdrawTo(dealId, ZeroAddress),
      ).to.be.revertedWithCustomError(f.dealProof, "ZeroAddress");
      await expect(
        f.dealProof.connect(f.buyer).withdrawTo(dealId, f.stranger.address),
      ).to.changeEtherBalances(f.ethers, [f.stranger, f.dealProof], [ESCROW, -ESCROW]);
    });
  });

  describe("withdrawMany", () => {
    /** Three settled deals between the fixture's buyer and seller (a listing sold three times). */
    async function settledDeals(n = 3) {
      await registerOracle(f);
      const out = [];
      for (let i = 0; i < n; i++) {
        const { dealId } = await openDeal(f, { root: dataRoot(i + 1) });
        const s = outcome(dealId, { dataRoot: dataRoot(i + 1), price: 1n * 10n ** 17n * BigInt(i + 1) });
        await f.dealProof.settleWithSignature(s, sign(f, s));
        out.push({ dealId, price: s.price });
      }
      return out;
    }

    it("pays a seller's payouts of several deals in one transfer, one Withdrawn each; a deal already withdrawn or listed twice adds nothing", async () => {
      const deals = await settledDeals();
      await f.dealProof.connect(f.seller).withdraw(deals[0]!.dealId); // already collected
      const ids = [...deals.map((d) => d.dealId), deals[1]!.dealId]; // the second listed twice
      const due = deals[1]!.price + deals[2]!.price;
      expect(await f.dealProof.connect(f.seller).withdrawMany.staticCall(ids, f.seller.address)).to.equal(
        due,
      );
      const tx = await f.dealProof.connect(f.seller).withdrawMany(ids, f.seller.address);
      await expect(tx).to.changeEtherBalances(f.ethers, [f.seller, f.dealProof], [due, -due]);
      for (const d of deals.slice(1))
        await expect(tx)
          .to.emit(f.dealProof, "Withdrawn")
          .withArgs(d.dealId, f.seller.address, f.seller.address, d.price);
      const r = await tx.wait();
      const withdrawn = r!.logs.filter((l) => f.dealProof.interface.parseLog(l)?.name === "Withdrawn");
      expect(withdrawn).to.have.length(2);
      // the buyer's shares are untouched, and the buyer collects them the same way
      for (const d of deals) expect(await payouts(f, d.dealId)).to.deep.equal([ESCROW - d.price, 0n]);
      const change = deals.reduce((n, d) => n + ESCROW - d.price, 0n);
      await expect(
        f.dealProof.connect(f.buyer).withdrawMany(
          deals.map((d) => d.dealId),
          f.stranger.address,
        ),
      ).to.changeEtherBalances(f.ethers, [f.stranger, f.dealProof], [change, -change]);
      expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(0n);
    });

    it("refuses, all or nothing: no payout left (NothingToWithdraw), the zero address, a stranger's or a live deal in the list, a recipient that refuses ETH", async () => {
      const deals = await settledDeals(2);
      const ids = deals.map((d) => d.dealId);
      const balance = await f.ethers.provider.getBalance(f.dealProof);
      await expect(
        f.dealProof.connect(f.seller).withdrawMany([], f.seller.address),
      ).to.be.revertedWithCustomError(f.dealProof, "NothingToWithdraw");
      await expect(
        f.dealProof.connect(f.seller).withdrawMany(ids, ZeroAddress),
      ).to.be.revertedWithCustomError(f.dealProof, "ZeroAddress");
      await expect(f.dealProof.connect(f.stranger).withdrawMany(ids, f.stranger.address))
        .to.be.revertedWithCustomError(f.dealProof, "NotParty")
        .withArgs(ids[0]!, f.stranger.address);
      // a deal of another seller after two of its own: nothing of the first two is paid
      const other = await openDeal(f, { seller: f.stranger, root: dataRoot(9) });
      const so = outcome(other.dealId, { dataRoot: dataRoot(9) });
      await f.dealProof.settleWithSignature(so, sign(f, so));
      await expect(f.dealProof.connect(f.seller).withdrawMany([...ids, other.dealId], f.seller.address))
        .to.be.revertedWithCustomError(f.dealProof, "NotParty")
        .withArgs(other.dealId, f.seller.address);
      const live = await openDeal(f, { root: dataRoot(10) });
      await expect(f.dealProof.connect(f.seller).withdrawMany([...ids, live.dealId], f.seller.address))
        .to.be.revertedWithCustomError(f.dealProof, "InvalidState")
        .withArgs(live.dealId, ACCEPTED);
      const refuser = await f.ethers.deployContract("FeeRefuser");
      await expect(f.dealProof.connect(f.seller).withdrawMany(ids, await refuser.getAddress()))
        .to.be.revertedWithCustomError(f.dealProof, "WithdrawFailed")
        .withArgs(await refuser.getAddress(), deals[0]!.price + deals[1]!.price);
      // nothing moved: every payout is still owed
      for (const d of deals) expect(await payouts(f, d.dealId)).to.deep.equal([ESCROW - d.price, d.price]);
      expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(balance + ESCROW + ESCROW);
      await f.dealProof.connect(f.seller).withdrawMany(ids, f.seller.address);
      await expect(
        f.dealProof.connect(f.seller).withdrawMany(ids, f.seller.address),
      ).to.be.revertedWithCustomError(f.dealProof, "NothingToWithdraw");
    });
  });
});

describe("DealProof trust model: leaving a deal while trust is widened", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
  });

  it("while a widening change is pending, either party leaves an Open or Accepted deal with a full refund", async () => {
    const open = await openDeal(f, { accept: false });
    const accepted = await openDeal(f, { duration: 7200 });
    await expect(f.dealProof.connect(f.buyer).cancelDeal(accepted.dealId))
      .to.be.revertedWithCustomError(f.dealProof, "NoPendingChange")
      .withArgs(accepted.dealId);
    const v = zeroPadValue(f.stranger.address, 32);
    await f.dealProof.scheduleChange(KIND.SetVerifier, v);
    await expect(f.dealProof.connect(f.stranger).cancelDeal(open.dealId))
      .to.be.revertedWithCustomError(f.dealProof, "NotParty")
      .withArgs(open.dealId, f.stranger.address);
    await expect(f.dealProof.connect(f.buyer).cancelDeal(open.dealId))
      .to.emit(f.dealProof, "DealCancelled")
      .withArgs(open.dealId, f.buyer.address, ESCROW);
    await expect(f.dealProof.connect(f.seller).cancelDeal(accepted.dealId))
      .to.emit(f.dealProof, "DealCancelled")
      .withArgs(accepted.dealId, f.seller.address, ESCROW);
    expect(await state(f, accepted.dealId)).to.equal(REFUNDED);
    await expect(f.dealProof.connect(f.buyer).cancelDeal(accepted.dealId))
      .to.be.revertedWithCustomError(f.dealProof, "InvalidState")
      .withArgs(accepted.dealId, REFUNDED);
    await expect(f.dealProof.connect(f.buyer).withdraw(accepted.dealId)).to.changeEtherBalances(
      f.ethers,
      [f.buyer, f.dealProof],
      [ESCROW, -ESCROW],
    );
    await expect(f.dealProof.connect(f.seller).withdraw(accepted.dealId)).to.be.revertedWithCustomError(
      f.dealProof,
      "NothingToWithdraw",
    );
  });
});

describe("DealProof trust model: the buyer's two-step cancellation (audit of issue 11)", () => {
  const DELAY = 2 * DAY;
  const NOTICE = 3600;
  const WINDOW = DAY;
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture({ changeDelay: DELAY });
    await registerOracle(f);
  });

  async function pendingChange() {
    const v = zeroPadValue(f.stranger.address, 32);
    await f.dealProof.scheduleChange(KIND.SetVerifier, v);
    return f.dealProof.changeIdFor(KIND.SetVerifier, v);
  }

  it("CANCEL_NOTICE is min(1 hour, CHANGE_DELAY), fixed at deployment", async () => {
    expect(await f.dealProof.CANCEL_NOTICE()).to.equal(BigInt(NOTICE));
    const deploy = async (delay: number) =>
      f.ethers.deployContract("DealProof", [
        f.owner.address,
        await f.mock.getAddress(),
        TTL,
        FRESHNESS,
        delay,
        [],
      ]);
    expect(await (await deploy(600)).CANCEL_NOTICE()).to.equal(600n);
    expect(await (await deploy(0)).CANCEL_NOTICE()).to.equal(0n);
  });

  it("front-running a settlement: the buyer's cancel only records a request, and the settlement lands", async () => {
    const { dealId } = await openDeal(f, { duration: 7200 });
    await pendingChange();
    const s = outcome(dealId);
    // the buyer read `s.delivery` from the pending settlement and cancels ahead of it
    const tx = await f.dealProof.connect(f.buyer).cancelDeal(dealId);
    const at = await minedAt(f, tx);
    await expect(tx)
      .to.emit(f.dealProof, "DealCancelRequested")
      .withArgs(dealId, at, at + NOTICE, at + NOTICE + WINDOW)
      .and.not.to.emit(f.dealProof, "DealCancelled");
    expect(await state(f, dealId)).to.equal(ACCEPTED);
    expect(await f.dealProof.cancelRequest(dealId)).to.deep.equal([
      BigInt(at),
      BigInt(at + NOTICE),
      BigInt(at + NOTICE + WINDOW),
      true,
    ]);
    expect(await f.dealProof.buyerCancelLive(dealId)).to.equal(true);
    expect((await f.dealProof.getDeal(dealId)).escrow).to.equal(ESCROW);
    // asking again does not complete it early
    await expect(f.dealProof.connect(f.buyer).cancelDeal(dealId))
      .to.be.revertedWithCustomError(f.dealProof, "CancelNoticeRunning")
      .withArgs(dealId, at + NOTICE);
    await expect(f.dealProof.connect(f.stranger).settleWithSignature(s, sign(f, s)))
      .to.emit(f.dealProof, "DealSettled")
      .withArgs(dealId, true, s.price, s.termsHash, s.transcriptHash, s.delivery);
    expect(await f.dealProof.buyerCancelLive(dealId)).to.equal(false);
    await f.networkHelpers.time.increaseTo(at + NOTICE);
    await expect(f.dealProof.connect(f.buyer).cancelDeal(dealId))
      .to.be.revertedWithCustomError(f.dealProof, "InvalidState")
      .withArgs(dealId, SETTLED);
    // the key was bought: the seller is paid, the buyer keeps only the change
    const d = await f.dealProof.getDeal(dealId);
    expect([d.state, d.sellerPayout, d.buyerPayout]).to.deep.equal([SETTLED, s.price, ESCROW - s.price]);
    expect(await f.ethers.provider.getBalance(f.address)).to.equal(ESCROW);
  });

  // The attack of issue 21 (it passed on the contract before the fix: the request outlived the
  // change, and the buyer completed it ahead of the settlement whose delivery it had read).
  it("attack: a request kept in reserve after the owner cancelled the change cannot front-run a settlement", async () => {
    const { dealId } = await openDeal(f, { duration: 4 * 3600 });
    await expect(f.dealProof.connect(f.buyer).cancelDeal(dealId))
      .to.be.revertedWithCustomError(f.dealProof, "NoPendingChange")
      .withArgs(dealId);
    const changeId = await pendingChange();
    const at = await minedAt(f, await f.dealProof.connect(f.buyer).cancelDeal(dealId));
    // the owner schedules and cancels at once; the buyer keeps its request and waits
    await expect(f.dealProof.cancelChange(changeId)).to.emit(f.dealProof, "ChangeCancelled");
    expect(await f.dealProof.changeEpoch()).to.equal(1n);
    expect(await f.dealProof.hasPendingChange()).to.equal(false);
    expect((await f.dealProof.cancelRequest(dealId))[3]).to.equal(false);
    expect(await f.dealProof.buyerCancelLive(dealId)).to.equal(false);
    await f.networkHelpers.time.increaseTo(at + NOTICE + 60);
    // a settlement carrying the delivery is now in the mempool; the buyer lands its cancel first
    await expect(f.dealProof.connect(f.buyer).cancelDeal(dealId))
      .to.be.revertedWithCustomError(f.dealProof, "NoPendingChange")
      .withArgs(dealId);
    expect(await state(f, dealId)).to.equal(ACCEPTED);
    const s = outcome(dealId);
    await expect(f.dealProof.connect(f.stranger).settleWithSignature(s, sign(f, s))).to.emit(
      f.dealProof,
      "DealSettled",
    );
    const d = await f.dealProof.getDeal(dealId);
    expect([d.state, d.sellerPayout, d.buyerPayout]).to.deep.equal([SETTLED, s.price, ESCROW - s.price]);
    expect(await f.ethers.provider.getBalance(f.address)).to.equal(ESCROW);
  });

  it("a request lapses CANCEL_WINDOW after its notice; asking again opens a new one while a change is pending", async () => {
    expect(await f.dealProof.CANCEL_WINDOW()).to.equal(BigInt(WINDOW));
    const { dealId } = await openDeal(f, { duration: 3 * DAY });
    await pendingChange();
    const at = await minedAt(f, await f.dealProof.connect(f.buyer).cancelDeal(dealId));
    await f.networkHelpers.time.increaseTo(at + NOTICE + WINDOW + 1);
    expect(await f.dealProof.buyerCancelLive(dealId)).to.equal(false);
    expect((await f.dealProof.cancelRequest(dealId))[3]).to.equal(false);
    // the lapsed request does not complete: the call is a new request with a new notice
    const again = await f.dealProof.connect(f.buyer).cancelDeal(dealId);
    const at2 = await minedAt(f, again);
    await expect(again)
      .to.emit(f.dealProof, "DealCancelRequested")
      .withArgs(dealId, at2, at2 + NOTICE, at2 + NOTICE + WINDOW)
      .and.not.to.emit(f.dealProof, "DealCancelled");
    expect(await state(f, dealId)).to.equal(ACCEPTED);
    expect((await f.dealProof.getDeal(dealId)).escrow).to.equal(ESCROW);
    // the last second of the new request still completes it
    await f.networkHelpers.time.setNextBlockTimestamp(at2 + NOTICE + WINDOW);
    await expect(f.dealProof.connect(f.buyer).cancelDeal(dealId))
      .to.emit(f.dealProof, "DealCancelled")
      .withArgs(dealId, f.buyer.address, ESCROW);
    expect(await f.dealProof.buyerCancelLive(dealId)).to.equal(false);
    await expect(f.dealProof.connect(f.buyer).withdraw(dealId)).to.changeEtherBalances(
      f.ethers,
      [f.buyer, f.dealProof],
      [ESCROW, -ESCROW],
    );
  });

  it("a request completes within its window while the change is pending, and lapses when any change is executed", async () => {
    const first = await openDeal(f, { duration: 3 * DAY });
    const second = await openDeal(f, { duration: 3 * DAY, root: dataRoot(3) });
    const changeId = await pendingChange();
    const at = await minedAt(f, await f.dealProof.connect(f.buyer).cancelDeal(first.dealId));
    await minedAt(f, await f.dealProof.connect(f.buyer).cancelDeal(second.dealId));
    // the next transaction mines one second after this block: at + NOTICE - 1
    await f.networkHelpers.time.increaseTo(at + NOTICE - 2);
    await expect(f.dealProof.connect(f.buyer).cancelDeal(first.dealId))
      .to.be.revertedWithCustomError(f.dealProof, "CancelNoticeRunning")
      .withArgs(first.dealId, at + NOTICE);
    await f.networkHelpers.time.increaseTo(at + NOTICE - 1);
    await expect(f.dealProof.connect(f.buyer).cancelDeal(first.dealId))
      .to.emit(f.dealProof, "DealCancelled")
      .withArgs(first.dealId, f.buyer.address, ESCROW);
    expect(await state(f, first.dealId)).to.equal(REFUNDED);
    expect(await f.dealProof.cancelRequest(first.dealId)).to.deep.equal([0n, 0n, 0n, false]);
    // the owner executes the change: the window it opened is over, so is the second request
    await f.networkHelpers.time.increase(DELAY);
    await expect(f.dealProof.executeChange(changeId)).to.emit(f.dealProof, "ChangeExecuted");
    expect(await f.dealProof.buyerCancelLive(second.dealId)).to.equal(false);
    await expect(f.dealProof.connect(f.buyer).cancelDeal(second.dealId))
      .to.be.revertedWithCustomError(f.dealProof, "NoPendingChange")
      .withArgs(second.dealId);
    expect(await state(f, second.dealId)).to.equal(ACCEPTED);
    expect(await f.ethers.provider.getBalance(f.address)).to.equal(2n * ESCROW);
  });

  it("a request lives no longer than the changes pending when it was made", async () => {
    const a = await openDeal(f, { duration: 20 * DAY });
    const b = await openDeal(f, { duration: 20 * DAY, root: dataRoot(4) });
    await pendingChange();
    const lapse = Number((await f.dealProof.pendingChanges())[0]!.lapsesAt);
    // two hours before the change lapses: the request's window ends with the change
    await f.networkHelpers.time.setNextBlockTimestamp(lapse - 7200);
    await expect(f.dealProof.connect(f.buyer).cancelDeal(a.dealId))
      .to.emit(f.dealProof, "DealCancelRequested")
      .withArgs(a.dealId, lapse - 7200, lapse - 7200 + NOTICE, lapse);
    // ten minutes before, a request could never complete: refused, named
    await f.networkHelpers.time.setNextBlockTimestamp(lapse - 600);
    await expect(f.dealProof.connect(f.buyer).cancelDeal(b.dealId))
      .to.be.revertedWithCustomError(f.dealProof, "CancelWouldLapse")
      .withArgs(b.dealId, lapse);
    expect(await f.dealProof.cancelRequest(b.dealId)).to.deep.equal([0n, 0n, 0n, false]);
    // once the change lapsed, so did the request: nothing completes, nothing moves
    await f.networkHelpers.time.increaseTo(lapse + 1);
    expect(await f.dealProof.buyerCancelLive(a.dealId)).to.equal(false);
    await expect(f.dealProof.connect(f.buyer).cancelDeal(a.dealId))
      .to.be.revertedWithCustomError(f.dealProof, "NoPendingChange")
      .withArgs(a.dealId);
    expect([await state(f, a.dealId), await state(f, b.dealId)]).to.deep.equal([ACCEPTED, ACCEPTED]);
    expect(await f.ethers.provider.getBalance(f.address)).to.equal(2n * ESCROW);
  });

  it("cancelling another change also lapses a request; the buyer may ask again under the one still pending", async () => {
    const { dealId } = await openDeal(f, { duration: 3 * DAY });
    const a = await pendingChange();
    await f.dealProof.scheduleChange(KIND.AllowMeasurement, hexlify(randomBytes(32)));
    const at = await minedAt(f, await f.dealProof.connect(f.buyer).cancelDeal(dealId));
    await f.dealProof.cancelChange(a);
    expect(await f.dealProof.hasPendingChange()).to.equal(true);
    expect(await f.dealProof.buyerCancelLive(dealId)).to.equal(false);
    await f.networkHelpers.time.increaseTo(at + NOTICE);
    const again = await f.dealProof.connect(f.buyer).cancelDeal(dealId);
    await expect(again)
      .to.emit(f.dealProof, "DealCancelRequested")
      .and.not.to.emit(f.dealProof, "DealCancelled");
    expect(await f.dealProof.buyerCancelLive(dealId)).to.equal(true);
    expect(await state(f, dealId)).to.equal(ACCEPTED);
  });

  it("buyerCancelLive is false for Open, settled and unknown deals; with CANCEL_NOTICE 0 it follows hasPendingChange", async () => {
    const open = await openDeal(f, { accept: false, root: dataRoot(5) });
    await pendingChange();
    expect(await f.dealProof.buyerCancelLive(open.dealId)).to.equal(false);
    expect(await f.dealProof.buyerCancelLive(12345n)).to.equal(false);
    const z = await deployFixture({ changeDelay: 0 });
    await registerOracle(z);
    const { dealId } = await openDeal(z);
    expect(await z.dealProof.buyerCancelLive(dealId)).to.equal(false);
    const v = zeroPadValue(z.stranger.address, 32);
    await z.dealProof.scheduleChange(KIND.SetVerifier, v);
    expect(await z.dealProof.buyerCancelLive(dealId)).to.equal(true);
    await z.dealProof.cancelChange(await z.dealProof.changeIdFor(KIND.SetVerifier, v));
    expect(await z.dealProof.buyerCancelLive(dealId)).to.equal(false);
  });

  it("the seller of an Accepted deal and the buyer of an Open one still cancel at once", async () => {
    const open = await openDeal(f, { accept: false, root: dataRoot(2) });
    const accepted = await openDeal(f, { duration: 7200 });
    await pendingChange();
    await expect(f.dealProof.connect(f.buyer).cancelDeal(open.dealId))
      .to.emit(f.dealProof, "DealCancelled")
      .withArgs(open.dealId, f.buyer.address, ESCROW);
    await expect(f.dealProof.connect(f.seller).cancelDeal(accepted.dealId))
      .to.emit(f.dealProof, "DealCancelled")
      .withArgs(accepted.dealId, f.seller.address, ESCROW);
    expect([await state(f, open.dealId), await state(f, accepted.dealId)]).to.deep.equal([
      REFUNDED,
      REFUNDED,
    ]);
  });
});
