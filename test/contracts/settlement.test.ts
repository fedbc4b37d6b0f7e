/**
 * Settlement, what DealProof composes from its parts: an outcome the escrow checks, authenticated by
 * a quote the trust policy accepts (settleWithQuote) or by the signature of a signer the registry
 * still trusts (settleWithSignature); payouts, refusals and replay across deals, contracts and
 * chain ids.
 */
import { expect } from "chai";
import { toBeHex, zeroPadValue } from "ethers";
import {
  deployFixture,
  openDeal,
  outcome,
  registerOracle,
  attest,
  sign,
  dataRoot,
  outputFor,
  widen,
  ESCROW,
  TTL,
  KIND,
  MEASUREMENT,
  OPEN,
  ACCEPTED,
  SETTLED,
  state,
  payouts,
  type Fixture,
} from "../fixtures/deal-proof.ts";
import { dealProofDomain, reportDataFor, settlementDigest } from "../../sdk/src/eip712.ts";

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
