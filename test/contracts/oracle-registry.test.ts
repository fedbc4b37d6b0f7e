/**
 * OracleRegistry: registration with a quote (report_data binds signer, key and issuedAt), replay
 * rules (issuedAt in the freshness window, strictly newer, currentSigner never back), expiry under
 * the TTL in force, the re-checks a signature settlement makes on its signer, EIP-2098 signatures,
 * revocation. Every refusal asserts its custom error and that nothing moved.
 */
import { expect } from "chai";
import { Signature, hexlify, randomBytes, ZeroAddress } from "ethers";
import {
  deployFixture,
  openDeal,
  outcome,
  registerOracle,
  sign,
  outputFor,
  widen,
  TTL,
  FRESHNESS,
  INSTANCE_ID,
  KIND,
  MEASUREMENT,
  ACCEPTED,
  DAY,
  word,
  state,
  type Fixture,
} from "../fixtures/deal-proof.ts";
import { reportDataFor } from "../../sdk/src/eip712.ts";

describe("DealProof: oracle registry", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
  });

  it("registers an attested key, makes it current, and expires it issuedAt + TTL", async () => {
    expect((await f.dealProof.currentOracle()).signer).to.equal(ZeroAddress);
    const key = hexlify(randomBytes(32));
    const issuedAt = (await f.networkHelpers.time.latest()) - 10;
    const digest: string = await f.dealProof.registrationDigest(f.oracle.address, key, INSTANCE_ID, issuedAt);
    await f.mock.setResult(true, outputFor(reportDataFor(digest)));
    const tx = f.dealProof
      .connect(f.stranger)
      .registerOracle(f.oracle.address, key, INSTANCE_ID, issuedAt, "0x01", { value: 5n });
    await expect(tx)
      .to.emit(f.dealProof, "OracleRegistered")
      .withArgs(f.oracle.address, key, INSTANCE_ID, MEASUREMENT, issuedAt, 0, true);
    expect((await f.dealProof.registrationOf(f.oracle.address)).instanceId).to.equal(INSTANCE_ID);
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
      f.dealProof.registerOracle(ZeroAddress, hexlify(randomBytes(32)), INSTANCE_ID, now, "0x01"),
    ).to.be.revertedWithCustomError(f.dealProof, "InvalidOracleSigner");
  });

  it("refuses a quote whose report_data is not this registration (other key, other issuedAt)", async () => {
    const key = hexlify(randomBytes(32));
    const now = await f.networkHelpers.time.latest();
    for (const digest of [
      await f.dealProof.registrationDigest(f.oracle.address, hexlify(randomBytes(32)), INSTANCE_ID, now),
      await f.dealProof.registrationDigest(f.oracle.address, key, INSTANCE_ID, now - 1),
    ]) {
      await f.mock.setResult(true, outputFor(reportDataFor(digest)));
      await expect(
        f.dealProof.registerOracle(f.oracle.address, key, INSTANCE_ID, now, "0x01"),
      ).to.be.revertedWithCustomError(f.dealProof, "ReportDataMismatch");
    }
    expect((await f.dealProof.registrationOf(f.oracle.address)).issuedAt).to.equal(0n);
  });

  it("refuses a disallowed measurement or an unaccepted TCB status", async () => {
    const key = hexlify(randomBytes(32));
    const now = await f.networkHelpers.time.latest();
    const digest: string = await f.dealProof.registrationDigest(f.oracle.address, key, INSTANCE_ID, now);
    await f.mock.setResult(true, outputFor(reportDataFor(digest), { tag: 7 }));
    await expect(
      f.dealProof.registerOracle(f.oracle.address, key, INSTANCE_ID, now, "0x01"),
    ).to.be.revertedWithCustomError(f.dealProof, "MeasurementNotAllowed");
    await f.mock.setResult(true, outputFor(reportDataFor(digest), { tcbStatus: 4 }));
    await expect(f.dealProof.registerOracle(f.oracle.address, key, INSTANCE_ID, now, "0x01"))
      .to.be.revertedWithCustomError(f.dealProof, "TcbStatusNotAccepted")
      .withArgs(4);
    expect((await f.dealProof.currentOracle()).signer).to.equal(ZeroAddress);
  });
});

describe("DealProof trust model: registrations", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
  });

  it("refuses issuedAt in the future and older than the freshness window", async () => {
    const now = await f.networkHelpers.time.latest();
    const key = hexlify(randomBytes(32));
    await expect(f.dealProof.registerOracle(f.oracle.address, key, INSTANCE_ID, now + 100, "0x01"))
      .to.be.revertedWithCustomError(f.dealProof, "RegistrationFromFuture")
      .withArgs(now + 100, now + 1);
    await expect(f.dealProof.registerOracle(f.oracle.address, key, INSTANCE_ID, now - FRESHNESS - 5, "0x01"))
      .to.be.revertedWithCustomError(f.dealProof, "RegistrationStale")
      .withArgs(now - FRESHNESS - 5, now - 5);
    expect((await f.dealProof.currentOracle()).signer).to.equal(ZeroAddress);
  });

  it("a replayed registration quote cannot renew a key: issuedAt must be strictly newer", async () => {
    const key = hexlify(randomBytes(32));
    const issuedAt = await f.networkHelpers.time.latest();
    await registerOracle(f, key as `0x${string}`, { issuedAt });
    // the same calldata again (the mock still attests it)
    await expect(f.dealProof.registerOracle(f.oracle.address, key, INSTANCE_ID, issuedAt, "0x01"))
      .to.be.revertedWithCustomError(f.dealProof, "RegistrationNotNewer")
      .withArgs(f.oracle.address, issuedAt, issuedAt);
    expect(await f.dealProof.registrationExpiry(f.oracle.address)).to.equal(BigInt(issuedAt + TTL));
  });

  it("currentSigner never moves back to an older registration, but the older one is stored", async () => {
    const other = f.ethers.Wallet.createRandom();
    const now = await f.networkHelpers.time.latest();
    await registerOracle(f, undefined, { issuedAt: now });
    const tx = await registerOracle(f, undefined, { signer: other.address, issuedAt: now - 10 });
    expect(tx).to.be.a("string");
    expect((await f.dealProof.currentOracle()).signer).to.equal(f.oracle.address);
    expect((await f.dealProof.registrationOf(other.address)).issuedAt).to.equal(BigInt(now - 10));
    await registerOracle(f, undefined, { signer: other.address, issuedAt: now + 1 });
    expect((await f.dealProof.currentOracle()).signer).to.equal(other.address);
  });

  it("expiry is issuedAt + the TTL in force: shortening the TTL shortens existing registrations", async () => {
    const issuedAt = await f.networkHelpers.time.latest();
    await registerOracle(f, undefined, { issuedAt });
    await expect(f.dealProof.shortenRegistrationTtl(2 * 3600))
      .to.emit(f.dealProof, "RegistrationTtlUpdated")
      .withArgs(2 * 3600);
    expect((await f.dealProof.currentOracle()).expiresAt).to.equal(BigInt(issuedAt + 2 * 3600));
    const { dealId } = await openDeal(f, { duration: 5 * 3600 });
    await f.networkHelpers.time.increaseTo(issuedAt + 2 * 3600 + 1);
    const s = outcome(dealId);
    await expect(f.dealProof.settleWithSignature(s, sign(f, s)))
      .to.be.revertedWithCustomError(f.dealProof, "OracleRegistrationExpired")
      .withArgs(f.oracle.address, issuedAt + 2 * 3600);
    expect(await state(f, dealId)).to.equal(ACCEPTED);
  });

  it("a signer registered under a TCB status the owner later refuses can no longer settle", async () => {
    await widen(f, KIND.AcceptTcbStatus, word(1));
    await registerOracle(f, undefined, { tcbStatus: 1 });
    expect((await f.dealProof.registrationOf(f.oracle.address)).tcbStatus).to.equal(1n);
    await expect(f.dealProof.refuseTcbStatus(1)).to.emit(f.dealProof, "TcbStatusAccepted").withArgs(1, false);
    const { dealId } = await openDeal(f);
    const s = outcome(dealId);
    await expect(f.dealProof.settleWithSignature(s, sign(f, s)))
      .to.be.revertedWithCustomError(f.dealProof, "TcbStatusNotAccepted")
      .withArgs(1);
    expect(await state(f, dealId)).to.equal(ACCEPTED);
  });

  it("a disallowed and later re-allowed measurement settles again (epoch fallback reads the allowlist)", async () => {
    await registerOracle(f);
    await f.dealProof.disallowMeasurement(MEASUREMENT);
    await widen(f, KIND.AllowMeasurement, MEASUREMENT);
    const { dealId } = await openDeal(f);
    const s = outcome(dealId);
    await expect(f.dealProof.settleWithSignature(s, sign(f, s))).to.emit(f.dealProof, "DealSettled");
  });

  it("accepts a 64-byte EIP-2098 signature and refuses other lengths", async () => {
    await registerOracle(f);
    const { dealId } = await openDeal(f);
    const s = outcome(dealId);
    const compact = Signature.from(sign(f, s)).compactSerialized;
    await expect(f.dealProof.settleWithSignature(s, "0x" + "11".repeat(66)))
      .to.be.revertedWithCustomError(f.dealProof, "InvalidSignatureLength")
      .withArgs(66);
    await expect(f.dealProof.settleWithSignature(s, compact)).to.emit(f.dealProof, "DealSettled");
  });
});

describe("DealProof trust model: revocation", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
  });

  it("revokes at once and for good: no settlement, no re-registration, currentSigner → 0", async () => {
    await registerOracle(f);
    const { dealId } = await openDeal(f);
    await expect(f.dealProof.revokeSigner(f.oracle.address))
      .to.emit(f.dealProof, "SignerRevoked")
      .withArgs(f.oracle.address, true);
    expect((await f.dealProof.currentOracle()).signer).to.equal(ZeroAddress);
    const s = outcome(dealId);
    await expect(f.dealProof.settleWithSignature(s, sign(f, s)))
      .to.be.revertedWithCustomError(f.dealProof, "SignerIsRevoked")
      .withArgs(f.oracle.address);
    await f.networkHelpers.time.increase(10);
    const now = await f.networkHelpers.time.latest();
    await expect(
      f.dealProof.registerOracle(f.oracle.address, hexlify(randomBytes(32)), INSTANCE_ID, now, "0x01"),
    )
      .to.be.revertedWithCustomError(f.dealProof, "SignerIsRevoked")
      .withArgs(f.oracle.address);
    expect(await state(f, dealId)).to.equal(ACCEPTED);
    // after a revocation only a registration newer than the revoked one becomes current
    const other = f.ethers.Wallet.createRandom();
    await registerOracle(f, undefined, { signer: other.address, issuedAt: now });
    expect((await f.dealProof.currentOracle()).signer).to.equal(other.address);
  });

  it("refuses to revoke the zero address", async () => {
    await expect(f.dealProof.revokeSigner(ZeroAddress)).to.be.revertedWithCustomError(
      f.dealProof,
      "ZeroAddress",
    );
  });
});

describe("DealProof trust model: registration edge cases (audit of issue 11)", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
  });

  it("refuses a registration already expired on arrival (a TTL shorter than the freshness window)", async () => {
    await widen(f, KIND.LengthenFreshnessWindow, word(DAY));
    await f.dealProof.shortenRegistrationTtl(3600);
    await f.networkHelpers.time.increase(3 * 3600);
    const issuedAt = (await f.networkHelpers.time.latest()) - 3600;
    const key = hexlify(randomBytes(32));
    const digest = await f.dealProof.registrationDigest(f.oracle.address, key, INSTANCE_ID, issuedAt);
    await f.mock.setResult(true, outputFor(reportDataFor(digest)));
    await expect(f.dealProof.registerOracle(f.oracle.address, key, INSTANCE_ID, issuedAt, "0x01"))
      .to.be.revertedWithCustomError(f.dealProof, "OracleRegistrationExpired")
      .withArgs(f.oracle.address, issuedAt + 3600);
    expect((await f.dealProof.currentOracle()).signer).to.equal(ZeroAddress);
    expect((await f.dealProof.registrationOf(f.oracle.address)).issuedAt).to.equal(0n);
    // a slightly younger one, unexpired at inclusion, is taken and becomes current
    await registerOracle(f, undefined, { issuedAt: issuedAt + 10 });
    expect((await f.dealProof.currentOracle()).signer).to.equal(f.oracle.address);
  });

  it("after a revocation, a registration older than the revoked one is stored but does not become current", async () => {
    const now = await f.networkHelpers.time.latest();
    await registerOracle(f, undefined, { issuedAt: now });
    await f.dealProof.revokeSigner(f.oracle.address);
    expect(await f.dealProof.currentIssuedAt()).to.equal(BigInt(now));
    const other = f.ethers.Wallet.createRandom();
    await registerOracle(f, undefined, { signer: other.address, issuedAt: now - 10 });
    expect((await f.dealProof.registrationOf(other.address)).issuedAt).to.equal(BigInt(now - 10));
    expect((await f.dealProof.currentOracle()).signer).to.equal(ZeroAddress);
  });
});
