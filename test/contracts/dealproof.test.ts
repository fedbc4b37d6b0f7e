import { expect } from "chai";
import { hexlify, randomBytes, toBeHex, zeroPadValue, ZeroAddress } from "ethers";
import {
  deployFixture,
  openDeal,
  outcome,
  registerOracle,
  attest,
  sign,
  dataRoot,
  outputFor,
  ESCROW,
  TTL,
  MEASUREMENT,
  KIND,
  widen,
  type Fixture,
} from "../fixtures/deal-proof.ts";
import { dealProofDomain, reportDataFor, settlementDigest } from "../../sdk/src/eip712.ts";

const OPEN = 1n,
  ACCEPTED = 2n,
  SETTLED = 3n,
  REFUNDED = 4n;

async function state(f: Fixture, id: bigint): Promise<bigint> {
  return (await f.dealProof.getDeal(id)).state;
}

/** [buyer's payout, seller's payout] still held for a deal. */
async function payouts(f: Fixture, id: bigint): Promise<[bigint, bigint]> {
  const d = await f.dealProof.getDeal(id);
  return [d.buyerPayout, d.sellerPayout];
}

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
});

describe("DealProof: settlement by signature", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
    await registerOracle(f);
  });

  it("pays the seller the price and the buyer the rest", async () => {
    const { dealId } = await openDeal(f);
    const s = outcome(dealId);
    await expect(f.dealProof.connect(f.stranger).settleWithSignature(s, sign(f, s)))
      .to.emit(f.dealProof, "DealSettled")
      .withArgs(dealId, true, s.price, s.termsHash, s.transcriptHash, s.delivery);
    expect(await payouts(f, dealId)).to.deep.equal([ESCROW - s.price, s.price]);
    expect(await state(f, dealId)).to.equal(SETTLED);
  });

  it("pays the seller the whole escrow when the price equals it", async () => {
    const { dealId } = await openDeal(f);
    const s = outcome(dealId, { price: ESCROW });
    await f.dealProof.settleWithSignature(s, sign(f, s));
    expect(await payouts(f, dealId)).to.deep.equal([0n, ESCROW]);
  });

  it("refunds the buyer in full when there is no deal", async () => {
    const { dealId } = await openDeal(f);
    const s = outcome(dealId, { agreed: false, price: 0n, delivery: "0x" });
    await f.dealProof.settleWithSignature(s, sign(f, s));
    expect(await payouts(f, dealId)).to.deep.equal([ESCROW, 0n]);
  });

  const rejects: [string, (f: Fixture, id: bigint) => ReturnType<typeof outcome>, string][] = [
    ["a price above the escrow", (_f, id) => outcome(id, { price: ESCROW + 1n }), "PriceAboveEscrow"],
    ["another data root", (_f, id) => outcome(id, { dataRoot: dataRoot(9) }), "DataRootMismatch"],
    [
      "no deal with a price",
      (_f, id) => outcome(id, { agreed: false, price: 1n, delivery: "0x" }),
      "InvalidNoDealOutcome",
    ],
    [
      "no deal with a delivery",
      (_f, id) => outcome(id, { agreed: false, price: 0n, delivery: "0x01" }),
      "InvalidNoDealOutcome",
    ],
  ];
  for (const [name, make, error] of rejects) {
    it(`refuses ${name} (${error}) and moves no funds`, async () => {
      const { dealId } = await openDeal(f);
      const s = make(f, dealId);
      await expect(f.dealProof.settleWithSignature(s, sign(f, s))).to.be.revertedWithCustomError(
        f.dealProof,
        error,
      );
      expect(await state(f, dealId)).to.equal(ACCEPTED);
      expect((await f.dealProof.getDeal(dealId)).escrow).to.equal(ESCROW);
      expect(await payouts(f, dealId)).to.deep.equal([0n, 0n]);
    });
  }

  it("refuses a deal that is still open (not accepted)", async () => {
    const { dealId } = await openDeal(f, { accept: false });
    const s = outcome(dealId);
    await expect(f.dealProof.settleWithSignature(s, sign(f, s)))
      .to.be.revertedWithCustomError(f.dealProof, "InvalidState")
      .withArgs(dealId, OPEN);
  });

  it("refuses after the deadline", async () => {
    const { dealId, deadline } = await openDeal(f);
    await f.networkHelpers.time.increaseTo(deadline + 1);
    const s = outcome(dealId);
    await expect(f.dealProof.settleWithSignature(s, sign(f, s)))
      .to.be.revertedWithCustomError(f.dealProof, "DeadlinePassed")
      .withArgs(dealId, deadline);
    expect(await state(f, dealId)).to.equal(ACCEPTED);
  });

  it("refuses an unknown signer", async () => {
    const { dealId } = await openDeal(f);
    const s = outcome(dealId);
    const stranger = f.ethers.Wallet.createRandom();
    const sig = stranger.signingKey.sign(settlementDigest(f.domain, s)).serialized;
    await expect(f.dealProof.settleWithSignature(s, sig))
      .to.be.revertedWithCustomError(f.dealProof, "UnknownOracle")
      .withArgs(stranger.address);
  });

  it("refuses an expired registration", async () => {
    const { dealId } = await openDeal(f, { duration: TTL * 2 });
    await f.networkHelpers.time.increase(TTL + 1);
    const s = outcome(dealId);
    await expect(f.dealProof.settleWithSignature(s, sign(f, s))).to.be.revertedWithCustomError(
      f.dealProof,
      "OracleRegistrationExpired",
    );
    expect(await state(f, dealId)).to.equal(ACCEPTED);
  });

  it("refuses a signer whose measurement the owner has since disallowed", async () => {
    const { dealId } = await openDeal(f);
    await f.dealProof.disallowMeasurement(MEASUREMENT);
    const s = outcome(dealId);
    await expect(f.dealProof.settleWithSignature(s, sign(f, s)))
      .to.be.revertedWithCustomError(f.dealProof, "MeasurementNotAllowed")
      .withArgs(MEASUREMENT);
  });

  it("refuses a malformed signature", async () => {
    const { dealId } = await openDeal(f);
    await expect(f.dealProof.settleWithSignature(outcome(dealId), "0x1234"))
      .to.be.revertedWithCustomError(f.dealProof, "InvalidSignatureLength")
      .withArgs(2);
  });

  describe("replay", () => {
    it("same deal: a used signature cannot settle again", async () => {
      const { dealId } = await openDeal(f);
      const s = outcome(dealId);
      const sig = sign(f, s);
      await f.dealProof.settleWithSignature(s, sig);
      await expect(f.dealProof.settleWithSignature(s, sig))
        .to.be.revertedWithCustomError(f.dealProof, "InvalidState")
        .withArgs(dealId, SETTLED);
      expect(await payouts(f, dealId)).to.deep.equal([ESCROW - s.price, s.price]);
    });
    it("other deal: a signature for one deal does not settle another", async () => {
      const a = await openDeal(f);
      const b = await openDeal(f);
      const sa = outcome(a.dealId);
      const sig = sign(f, sa);
      const sb = { ...sa, dealId: b.dealId };
      await expect(f.dealProof.settleWithSignature(sb, sig)).to.be.revertedWithCustomError(
        f.dealProof,
        "UnknownOracle",
      );
      expect(await state(f, b.dealId)).to.equal(ACCEPTED);
    });
    it("other contract: a signature made for another DealProof does not verify here", async () => {
      const { dealId } = await openDeal(f);
      const s = outcome(dealId);
      const elsewhere = dealProofDomain(f.chainId, f.stranger.address);
      await expect(f.dealProof.settleWithSignature(s, sign(f, s, elsewhere))).to.be.revertedWithCustomError(
        f.dealProof,
        "UnknownOracle",
      );
    });
    it("other chain id: a signature for the same contract on another chain does not verify", async () => {
      const { dealId } = await openDeal(f);
      const s = outcome(dealId);
      const otherChain = dealProofDomain(f.chainId + 1n, f.address);
      await expect(f.dealProof.settleWithSignature(s, sign(f, s, otherChain))).to.be.revertedWithCustomError(
        f.dealProof,
        "UnknownOracle",
      );
      expect(await state(f, dealId)).to.equal(ACCEPTED);
    });
  });
});

describe("DealProof: settlement by quote", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
  });

  it("settles with a verified quote and forwards the fee to the verifier", async () => {
    const { dealId } = await openDeal(f);
    const s = outcome(dealId);
    await attest(f, s);
    await expect(f.dealProof.connect(f.stranger).settleWithQuote(s, "0xabcdef", { value: 123n }))
      .to.emit(f.dealProof, "DealSettled")
      .withArgs(dealId, true, s.price, s.termsHash, s.transcriptHash, s.delivery);
    expect(await f.mock.lastValue()).to.equal(123n);
    expect(await f.mock.lastQuoteHash()).to.equal(f.ethers.keccak256("0xabcdef"));
    expect(await payouts(f, dealId)).to.deep.equal([ESCROW - s.price, s.price]);
  });

  async function expectNothingMoved(dealId: bigint) {
    expect(await state(f, dealId)).to.equal(ACCEPTED);
    expect((await f.dealProof.getDeal(dealId)).escrow).to.equal(ESCROW);
    expect(await payouts(f, dealId)).to.deep.equal([0n, 0n]);
    expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(ESCROW);
  }

  it("refuses when the verifier rejects the quote, with its reason", async () => {
    const { dealId } = await openDeal(f);
    const reason = f.ethers.hexlify(f.ethers.toUtf8Bytes("TCBR expired"));
    await f.mock.setResult(false, reason);
    await expect(f.dealProof.settleWithQuote(outcome(dealId), "0x01"))
      .to.be.revertedWithCustomError(f.dealProof, "VerifierRejected")
      .withArgs(reason);
    await expectNothingMoved(dealId);
  });

  it("refuses a short or malformed verifier output", async () => {
    const { dealId } = await openDeal(f);
    const s = outcome(dealId);
    const full = await attest(f, s).then((d) => outputFor(reportDataFor(d)));
    for (const len of [0, 1, 11, 594]) {
      await f.mock.setResult(true, full.slice(0, 2 + 2 * len));
      await expect(f.dealProof.settleWithQuote(s, "0x01"))
        .to.be.revertedWithCustomError(f.dealProof, "VerifierOutputTooShort")
        .withArgs(len);
    }
    await expectNothingMoved(dealId);
  });

  for (const [version, bodyType] of [
    [3, 2],
    [5, 2],
    [4, 1],
    [4, 3],
  ]) {
    it(`refuses quote version ${version} / body type ${bodyType}`, async () => {
      const { dealId } = await openDeal(f);
      const s = outcome(dealId);
      await attest(f, s, { version, bodyType });
      await expect(f.dealProof.settleWithQuote(s, "0x01"))
        .to.be.revertedWithCustomError(f.dealProof, "UnsupportedQuote")
        .withArgs(version, bodyType);
      await expectNothingMoved(dealId);
    });
  }

  it("refuses a TCB status that is not accepted, and takes it once the owner accepts it", async () => {
    const { dealId } = await openDeal(f);
    const s = outcome(dealId);
    for (let status = 1; status <= 9; status++) {
      await attest(f, s, { tcbStatus: status });
      await expect(f.dealProof.settleWithQuote(s, "0x01"))
        .to.be.revertedWithCustomError(f.dealProof, "TcbStatusNotAccepted")
        .withArgs(status);
    }
    await expectNothingMoved(dealId);
    await widen(f, KIND.AcceptTcbStatus, zeroPadValue(toBeHex(1), 32));
    await attest(f, s, { tcbStatus: 1 });
    await expect(f.dealProof.settleWithQuote(s, "0x01")).to.emit(f.dealProof, "DealSettled");
  });

  it("refuses a measurement that is not allowed", async () => {
    const { dealId } = await openDeal(f);
    const s = outcome(dealId);
    await attest(f, s, { tag: 2 });
    await expect(f.dealProof.settleWithQuote(s, "0x01")).to.be.revertedWithCustomError(
      f.dealProof,
      "MeasurementNotAllowed",
    );
    await expectNothingMoved(dealId);
  });

  it("refuses when any one of the 64 report_data bytes differs", async () => {
    const { dealId } = await openDeal(f);
    const s = outcome(dealId);
    const digest: string = await f.dealProof.settlementDigest(s);
    const good = reportDataFor(digest);
    for (let i = 0; i < 64; i++) {
      const rd = Uint8Array.from(good);
      rd[i]! ^= 1 << (i % 8);
      await f.mock.setResult(true, outputFor(rd));
      await expect(f.dealProof.settleWithQuote(s, "0x01"), `byte ${i}`).to.be.revertedWithCustomError(
        f.dealProof,
        "ReportDataMismatch",
      );
    }
    await expectNothingMoved(dealId);
  });

  it("runs the same outcome checks as the signature path", async () => {
    const { dealId } = await openDeal(f);
    const s = outcome(dealId, { dataRoot: dataRoot(3) });
    await attest(f, s);
    await expect(f.dealProof.settleWithQuote(s, "0x01"))
      .to.be.revertedWithCustomError(f.dealProof, "DataRootMismatch")
      .withArgs(dealId, dataRoot(3));
    const p = outcome(dealId, { price: ESCROW + 1n });
    await attest(f, p);
    await expect(f.dealProof.settleWithQuote(p, "0x01"))
      .to.be.revertedWithCustomError(f.dealProof, "PriceAboveEscrow")
      .withArgs(ESCROW + 1n, ESCROW);
    await expectNothingMoved(dealId);
  });

  describe("replay", () => {
    it("same deal: a used quote cannot settle again", async () => {
      const { dealId } = await openDeal(f);
      const s = outcome(dealId);
      await attest(f, s);
      await f.dealProof.settleWithQuote(s, "0x01");
      await expect(f.dealProof.settleWithQuote(s, "0x01"))
        .to.be.revertedWithCustomError(f.dealProof, "InvalidState")
        .withArgs(dealId, SETTLED);
    });
    it("other deal: a quote attesting one deal does not settle another", async () => {
      const a = await openDeal(f);
      const b = await openDeal(f);
      const sa = outcome(a.dealId);
      await attest(f, sa);
      await expect(
        f.dealProof.settleWithQuote({ ...sa, dealId: b.dealId }, "0x01"),
      ).to.be.revertedWithCustomError(f.dealProof, "ReportDataMismatch");
      expect(await state(f, b.dealId)).to.equal(ACCEPTED);
    });
    it("other contract and other chain id: a quote bound to another domain does not settle", async () => {
      const { dealId } = await openDeal(f);
      const s = outcome(dealId);
      for (const domain of [
        dealProofDomain(f.chainId, f.stranger.address),
        dealProofDomain(f.chainId + 1n, f.address),
      ]) {
        await f.mock.setResult(true, outputFor(reportDataFor(settlementDigest(domain, s))));
        await expect(f.dealProof.settleWithQuote(s, "0x01")).to.be.revertedWithCustomError(
          f.dealProof,
          "ReportDataMismatch",
        );
      }
      await expectNothingMoved(dealId);
    });
  });
});

describe("DealProof: oracle registry", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
  });

  it("registers an attested key, makes it current, and expires it issuedAt + TTL", async () => {
    expect((await f.dealProof.currentOracle()).signer).to.equal(ZeroAddress);
    const key = hexlify(randomBytes(32));
    const issuedAt = (await f.networkHelpers.time.latest()) - 10;
    const digest: string = await f.dealProof.registrationDigest(f.oracle.address, key, issuedAt);
    await f.mock.setResult(true, outputFor(reportDataFor(digest)));
    const tx = f.dealProof
      .connect(f.stranger)
      .registerOracle(f.oracle.address, key, issuedAt, "0x01", { value: 5n });
    await expect(tx)
      .to.emit(f.dealProof, "OracleRegistered")
      .withArgs(f.oracle.address, key, MEASUREMENT, issuedAt, 0, true);
    const cur = await f.dealProof.currentOracle();
    expect([cur.signer, cur.encryptionKey, cur.expiresAt, cur.measurementId]).to.deep.equal([
      f.oracle.address,
      key,
      BigInt(issuedAt + TTL),
      MEASUREMENT,
    ]);
    expect(await f.dealProof.currentIssuedAt()).to.equal(BigInt(issuedAt));
    expect(await f.mock.lastValue()).to.equal(5n);
  });

  it("refuses the zero signer", async () => {
    const now = await f.networkHelpers.time.latest();
    await expect(
      f.dealProof.registerOracle(ZeroAddress, hexlify(randomBytes(32)), now, "0x01"),
    ).to.be.revertedWithCustomError(f.dealProof, "InvalidOracleSigner");
  });

  it("refuses a quote whose report_data is not this registration (other key, other issuedAt)", async () => {
    const key = hexlify(randomBytes(32));
    const now = await f.networkHelpers.time.latest();
    for (const digest of [
      await f.dealProof.registrationDigest(f.oracle.address, hexlify(randomBytes(32)), now),
      await f.dealProof.registrationDigest(f.oracle.address, key, now - 1),
    ]) {
      await f.mock.setResult(true, outputFor(reportDataFor(digest)));
      await expect(
        f.dealProof.registerOracle(f.oracle.address, key, now, "0x01"),
      ).to.be.revertedWithCustomError(f.dealProof, "ReportDataMismatch");
    }
    expect((await f.dealProof.registrationOf(f.oracle.address)).issuedAt).to.equal(0n);
  });

  it("refuses a disallowed measurement or an unaccepted TCB status", async () => {
    const key = hexlify(randomBytes(32));
    const now = await f.networkHelpers.time.latest();
    const digest: string = await f.dealProof.registrationDigest(f.oracle.address, key, now);
    await f.mock.setResult(true, outputFor(reportDataFor(digest), { tag: 7 }));
    await expect(
      f.dealProof.registerOracle(f.oracle.address, key, now, "0x01"),
    ).to.be.revertedWithCustomError(f.dealProof, "MeasurementNotAllowed");
    await f.mock.setResult(true, outputFor(reportDataFor(digest), { tcbStatus: 4 }));
    await expect(f.dealProof.registerOracle(f.oracle.address, key, now, "0x01"))
      .to.be.revertedWithCustomError(f.dealProof, "TcbStatusNotAccepted")
      .withArgs(4);
    expect((await f.dealProof.currentOracle()).signer).to.equal(ZeroAddress);
  });
});

describe("DealProof: owner", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
  });

  it("transfers ownership in two steps", async () => {
    await f.dealProof.transferOwnership(f.stranger.address);
    expect(await f.dealProof.owner()).to.equal(f.owner.address);
    await f.dealProof.connect(f.stranger).acceptOwnership();
    expect(await f.dealProof.owner()).to.equal(f.stranger.address);
  });
});
