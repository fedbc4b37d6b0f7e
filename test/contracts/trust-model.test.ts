/**
 * DealProof's trust model (DESIGN.md §2, issue 11): TD attributes policy, registration replay
 * rules (issuedAt, freshness, strictly newer, currentSigner never back), revocation, re-checks on
 * signature settlement, the owner's narrowing (immediate) and widening (scheduled, announced,
 * cancellable by deal parties) powers, fee refunds, plain-ETH refusal, TTL and delay bounds,
 * EIP-2098 signatures. Each line of docs/contracts.md "What the owner can and cannot do" names
 * the test here that proves it; every refusal asserts its custom error and that nothing moved.
 */
import { expect } from "chai";
import {
  type FunctionFragment,
  Signature,
  hexlify,
  randomBytes,
  toBeHex,
  zeroPadValue,
  ZeroAddress,
} from "ethers";
import {
  deployFixture,
  openDeal,
  outcome,
  registerOracle,
  attest,
  sign,
  outputFor,
  widen,
  dataRoot,
  ESCROW,
  TTL,
  FRESHNESS,
  KIND,
  MEASUREMENT,
  type Fixture,
} from "../fixtures/deal-proof.ts";
import { reportDataFor } from "../../sdk/src/eip712.ts";

const ACCEPTED = 2n,
  REFUNDED = 4n;
const word = (n: number | bigint) => zeroPadValue(toBeHex(n), 32);
const DAY = 86400;

/** The timestamp of the block that mined `tx`. */
async function minedAt(f: Fixture, tx: { wait(): Promise<{ blockNumber: number } | null> }) {
  const receipt = await tx.wait();
  const block = await f.ethers.provider.getBlock(receipt!.blockNumber);
  return block!.timestamp;
}

async function state(f: Fixture, id: bigint) {
  return (await f.dealProof.getDeal(id)).state;
}

describe("DealProof trust model: TD attributes", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
  });

  const bad: [string, number[]][] = [
    ["DEBUG (TUD bit 0)", [1, 0, 0, 0x10, 0, 0, 0, 0]],
    ["TUD reserved bit 7", [0x80, 0, 0, 0x10, 0, 0, 0, 0]],
    ["SEC reserved byte 1", [0, 1, 0, 0x10, 0, 0, 0, 0]],
    ["SEC reserved byte 2", [0, 0, 0x80, 0x10, 0, 0, 0, 0]],
    ["SEC reserved low nibble of byte 3", [0, 0, 0, 0x11, 0, 0, 0, 0]],
    ["bit 29", [0, 0, 0, 0x30, 0, 0, 0, 0]],
    ["SEPT_VE_DISABLE clear", [0, 0, 0, 0, 0, 0, 0, 0]],
    ["OTHER reserved byte 4", [0, 0, 0, 0x10, 1, 0, 0, 0]],
    ["OTHER reserved byte 7 & 0x7f", [0, 0, 0, 0x10, 0, 0, 0, 0x01]],
  ];
  for (const [name, attrs] of bad) {
    it(`refuses a quote with ${name} for settlement and registration`, async () => {
      const td = Uint8Array.from(attrs);
      // the owner even allowed that TD's measurement: the policy still refuses it
      const { dealId } = await openDeal(f);
      const s = outcome(dealId);
      await attest(f, s, { tdAttributes: td });
      await expect(f.dealProof.settleWithQuote(s, "0x01"))
        .to.be.revertedWithCustomError(f.dealProof, "TdAttributesRejected")
        .withArgs(hexlify(td));
      expect(await state(f, dealId)).to.equal(ACCEPTED);
      const now = await f.networkHelpers.time.latest();
      const key = hexlify(randomBytes(32));
      const digest = await f.dealProof.registrationDigest(f.oracle.address, key, now);
      await f.mock.setResult(true, outputFor(reportDataFor(digest), { tdAttributes: td }));
      await expect(f.dealProof.registerOracle(f.oracle.address, key, now, "0x01"))
        .to.be.revertedWithCustomError(f.dealProof, "TdAttributesRejected")
        .withArgs(hexlify(td));
    });
  }

  it("accepts the free bits (PKS, KL, PERFMON) with SEPT_VE_DISABLE set", async () => {
    const { dealId } = await openDeal(f);
    const s = outcome(dealId);
    // the measurement id covers tdAttributes, so this TD configuration needs its own allowance
    const td = Uint8Array.from([0, 0, 0, 0xd0, 0, 0, 0, 0x80]);
    await attest(f, s, { tdAttributes: td });
    await expect(f.dealProof.settleWithQuote(s, "0x01")).to.be.revertedWithCustomError(
      f.dealProof,
      "MeasurementNotAllowed",
    );
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
    await expect(f.dealProof.registerOracle(f.oracle.address, key, now + 100, "0x01"))
      .to.be.revertedWithCustomError(f.dealProof, "RegistrationFromFuture")
      .withArgs(now + 100, now + 1);
    await expect(f.dealProof.registerOracle(f.oracle.address, key, now - FRESHNESS - 5, "0x01"))
      .to.be.revertedWithCustomError(f.dealProof, "RegistrationStale")
      .withArgs(now - FRESHNESS - 5, now - 5);
    expect((await f.dealProof.currentOracle()).signer).to.equal(ZeroAddress);
  });

  it("a replayed registration quote cannot renew a key: issuedAt must be strictly newer", async () => {
    const key = hexlify(randomBytes(32));
    const issuedAt = await f.networkHelpers.time.latest();
    await registerOracle(f, key as `0x${string}`, { issuedAt });
    // the same calldata again (the mock still attests it)
    await expect(f.dealProof.registerOracle(f.oracle.address, key, issuedAt, "0x01"))
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
    await expect(f.dealProof.registerOracle(f.oracle.address, hexlify(randomBytes(32)), now, "0x01"))
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

describe("DealProof trust model: what the owner can and cannot do", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
  });

  it("owner-only: every owner function refuses anyone else", async () => {
    const s = f.dealProof.connect(f.stranger);
    const calls = [
      () => s.disallowMeasurement(MEASUREMENT),
      () => s.refuseTcbStatus(0),
      () => s.revokeSigner(f.oracle.address),
      () => s.shortenRegistrationTtl(3600),
      () => s.shortenFreshnessWindow(60),
      () => s.scheduleChange(KIND.AllowMeasurement, MEASUREMENT),
      () => s.executeChange(MEASUREMENT),
      () => s.cancelChange(MEASUREMENT),
      () => s.renounceOwnership(),
    ];
    for (const c of calls)
      await expect(c()).to.be.revertedWithCustomError(f.dealProof, "OwnableUnauthorizedAccount");
  });

  it("narrowing is immediate and emits its event", async () => {
    await expect(f.dealProof.disallowMeasurement(MEASUREMENT))
      .to.emit(f.dealProof, "MeasurementAllowed")
      .withArgs(MEASUREMENT, false);
    expect(await f.dealProof.allowedMeasurements(MEASUREMENT)).to.equal(false);
    expect(await f.dealProof.measurementEpoch()).to.equal(1n);
    await expect(f.dealProof.refuseTcbStatus(0)).to.emit(f.dealProof, "TcbStatusAccepted").withArgs(0, false);
    await expect(f.dealProof.shortenFreshnessWindow(60))
      .to.emit(f.dealProof, "FreshnessWindowUpdated")
      .withArgs(60);
    await expect(f.dealProof.refuseTcbStatus(10))
      .to.be.revertedWithCustomError(f.dealProof, "InvalidTcbStatus")
      .withArgs(10);
  });

  it("narrowing functions refuse a value that would widen, or is out of bounds", async () => {
    await expect(f.dealProof.shortenRegistrationTtl(TTL))
      .to.be.revertedWithCustomError(f.dealProof, "NotNarrowing")
      .withArgs(TTL, TTL);
    await expect(f.dealProof.shortenRegistrationTtl(60))
      .to.be.revertedWithCustomError(f.dealProof, "InvalidRegistrationTtl")
      .withArgs(60);
    await expect(f.dealProof.shortenFreshnessWindow(FRESHNESS + 1))
      .to.be.revertedWithCustomError(f.dealProof, "NotNarrowing")
      .withArgs(FRESHNESS, FRESHNESS + 1);
    await expect(f.dealProof.shortenFreshnessWindow(59))
      .to.be.revertedWithCustomError(f.dealProof, "InvalidFreshnessWindow")
      .withArgs(59);
    expect(await f.dealProof.registrationTtl()).to.equal(BigInt(TTL));
  });

  it("widening waits CHANGE_DELAY, is announced, executes within the grace period, then lapses", async () => {
    const mock2 = await f.ethers.deployContract("MockDcapVerifier");
    const dp = await f.ethers.deployContract("DealProof", [
      f.owner.address,
      await f.mock.getAddress(),
      TTL,
      FRESHNESS,
      2 * DAY,
      [],
    ]);
    const value = zeroPadValue(await mock2.getAddress(), 32);
    const id = await dp.changeIdFor(KIND.SetVerifier, value);
    const tx = dp.scheduleChange(KIND.SetVerifier, value);
    const now = (await f.networkHelpers.time.latest()) + 1;
    await expect(tx)
      .to.emit(dp, "ChangeScheduled")
      .withArgs(id, KIND.SetVerifier, value, now + 2 * DAY, now + 2 * DAY + 14 * DAY);
    expect(await dp.hasPendingChange()).to.equal(true);
    await expect(dp.scheduleChange(KIND.SetVerifier, value))
      .to.be.revertedWithCustomError(dp, "ChangeAlreadyPending")
      .withArgs(id);
    await expect(dp.executeChange(id))
      .to.be.revertedWithCustomError(dp, "ChangeNotReady")
      .withArgs(id, now + 2 * DAY);
    expect(await dp.verifier()).to.equal(await f.mock.getAddress());
    await f.networkHelpers.time.increaseTo(now + 2 * DAY);
    await expect(dp.executeChange(id))
      .to.emit(dp, "ChangeExecuted")
      .withArgs(id)
      .and.to.emit(dp, "VerifierUpdated")
      .withArgs(await f.mock.getAddress(), await mock2.getAddress());
    expect(await dp.hasPendingChange()).to.equal(false);
    await expect(dp.executeChange(id)).to.be.revertedWithCustomError(dp, "ChangeNotScheduled").withArgs(id);

    const ttlValue = word(TTL + 1);
    const ttlId = await dp.changeIdFor(KIND.LengthenRegistrationTtl, ttlValue);
    await dp.scheduleChange(KIND.LengthenRegistrationTtl, ttlValue);
    const readyAt = (await f.networkHelpers.time.latest()) + 2 * DAY;
    await f.networkHelpers.time.increaseTo(readyAt + 14 * DAY + 1);
    expect(await dp.hasPendingChange()).to.equal(false);
    expect(await dp.pendingChanges()).to.have.length(0);
    await expect(dp.executeChange(ttlId))
      .to.be.revertedWithCustomError(dp, "ChangeLapsed")
      .withArgs(ttlId, readyAt + 14 * DAY);
    expect(await dp.registrationTtl()).to.equal(BigInt(TTL));
  });

  it("each widening kind applies its value and emits its event", async () => {
    const id = hexlify(randomBytes(32));
    await f.dealProof.scheduleChange(KIND.AllowMeasurement, id);
    await expect(f.dealProof.executeChange(await f.dealProof.changeIdFor(KIND.AllowMeasurement, id)))
      .to.emit(f.dealProof, "MeasurementAllowed")
      .withArgs(id, true);
    await f.dealProof.scheduleChange(KIND.AcceptTcbStatus, word(9));
    await expect(f.dealProof.executeChange(await f.dealProof.changeIdFor(KIND.AcceptTcbStatus, word(9))))
      .to.emit(f.dealProof, "TcbStatusAccepted")
      .withArgs(9, true);
    expect(await f.dealProof.isTcbStatusAccepted(9)).to.equal(true);
    await f.dealProof.scheduleChange(KIND.LengthenRegistrationTtl, word(TTL * 2));
    await expect(
      f.dealProof.executeChange(await f.dealProof.changeIdFor(KIND.LengthenRegistrationTtl, word(TTL * 2))),
    )
      .to.emit(f.dealProof, "RegistrationTtlUpdated")
      .withArgs(TTL * 2);
    await f.dealProof.scheduleChange(KIND.LengthenFreshnessWindow, word(DAY));
    await expect(
      f.dealProof.executeChange(await f.dealProof.changeIdFor(KIND.LengthenFreshnessWindow, word(DAY))),
    )
      .to.emit(f.dealProof, "FreshnessWindowUpdated")
      .withArgs(DAY);
  });

  it("scheduling refuses values that do not widen or are out of bounds", async () => {
    const dp = f.dealProof;
    await expect(dp.scheduleChange(KIND.SetVerifier, word(0))).to.be.revertedWithCustomError(
      dp,
      "ZeroAddress",
    );
    await expect(dp.scheduleChange(KIND.AcceptTcbStatus, word(10)))
      .to.be.revertedWithCustomError(dp, "InvalidTcbStatus")
      .withArgs(10);
    await expect(dp.scheduleChange(KIND.LengthenRegistrationTtl, word(TTL)))
      .to.be.revertedWithCustomError(dp, "NotWidening")
      .withArgs(TTL, TTL);
    await expect(dp.scheduleChange(KIND.LengthenRegistrationTtl, word(91 * DAY)))
      .to.be.revertedWithCustomError(dp, "InvalidRegistrationTtl")
      .withArgs(91 * DAY);
    // the issue's `setRegistrationTtl(2^64-1)`: refused, so registerOracle can never overflow
    await expect(dp.scheduleChange(KIND.LengthenRegistrationTtl, word(2n ** 64n - 1n)))
      .to.be.revertedWithCustomError(dp, "InvalidRegistrationTtl")
      .withArgs(2n ** 64n - 1n);
    await expect(dp.scheduleChange(KIND.LengthenFreshnessWindow, word(FRESHNESS)))
      .to.be.revertedWithCustomError(dp, "NotWidening")
      .withArgs(FRESHNESS, FRESHNESS);
    await expect(dp.scheduleChange(KIND.LengthenFreshnessWindow, word(DAY + 1)))
      .to.be.revertedWithCustomError(dp, "InvalidFreshnessWindow")
      .withArgs(DAY + 1);
    expect(await dp.hasPendingChange()).to.equal(false);
  });

  it("the owner may cancel a scheduled change; at most MAX_PENDING_CHANGES are pending", async () => {
    const dp = f.dealProof;
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const v = hexlify(randomBytes(32));
      await dp.scheduleChange(KIND.AllowMeasurement, v);
      ids.push(await dp.changeIdFor(KIND.AllowMeasurement, v));
    }
    await expect(
      dp.scheduleChange(KIND.AllowMeasurement, hexlify(randomBytes(32))),
    ).to.be.revertedWithCustomError(dp, "TooManyPendingChanges");
    for (const id of ids) await expect(dp.cancelChange(id)).to.emit(dp, "ChangeCancelled").withArgs(id);
    expect(await dp.hasPendingChange()).to.equal(false);
    await expect(dp.cancelChange(ids[0]!))
      .to.be.revertedWithCustomError(dp, "ChangeNotScheduled")
      .withArgs(ids[0]);
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

  it("cannot renounce ownership (it would freeze the configuration)", async () => {
    await expect(f.dealProof.renounceOwnership()).to.be.revertedWithCustomError(
      f.dealProof,
      "RenounceDisabled",
    );
    expect(await f.dealProof.owner()).to.equal(f.owner.address);
  });

  it("cannot move escrow or block refunds and withdrawals: no owner function touches a deal", async () => {
    const fns = f.dealProof.interface.fragments
      .filter((x): x is FunctionFragment => x.type === "function")
      .map((x) => x.name);
    // the whole mutable surface: deal functions (parties/anyone), registry, owner powers
    const ownerFns = [
      "disallowMeasurement",
      "refuseTcbStatus",
      "revokeSigner",
      "shortenRegistrationTtl",
      "shortenFreshnessWindow",
      "cancelChange",
      "scheduleChange",
      "executeChange",
      "renounceOwnership",
      "transferOwnership",
      "acceptOwnership",
    ];
    for (const n of ownerFns) expect(fns).to.include(n);
    expect(fns.filter((n) => /^set[A-Z]/.test(n))).to.deep.equal([]);
    // a deal refunds and withdraws with the owner having narrowed everything it can
    const { dealId, deadline } = await openDeal(f);
    await f.dealProof.disallowMeasurement(MEASUREMENT);
    await f.dealProof.refuseTcbStatus(0);
    await f.dealProof.shortenRegistrationTtl(3600);
    await f.networkHelpers.time.increaseTo(deadline + 1);
    await f.dealProof.refund(dealId);
    await expect(f.dealProof.connect(f.buyer).withdraw(dealId)).to.changeEtherBalances(
      f.ethers,
      [f.buyer],
      [ESCROW],
    );
  });

  it("the change delay is fixed at deployment: ≥ 2 days except on chain ids 31337/1337, ≤ 30 days", async () => {
    // this chain is 31337, where 0 is allowed (the fixture uses it); above 30 days is refused
    expect(await f.dealProof.CHANGE_DELAY()).to.equal(0n);
    await expect(
      f.ethers.deployContract("DealProof", [
        f.owner.address,
        await f.mock.getAddress(),
        TTL,
        FRESHNESS,
        31 * DAY,
        [],
      ]),
    )
      .to.be.revertedWithCustomError(f.dealProof, "InvalidChangeDelay")
      .withArgs(31 * DAY, f.chainId);
    const { network } = await import("hardhat");
    const other = await network.create({ override: { chainId: 11155111 } });
    const mock = await other.ethers.deployContract("MockDcapVerifier");
    const [owner] = await other.ethers.getSigners();
    const Factory = await other.ethers.getContractFactory("DealProof");
    await expect(Factory.deploy(owner!.address, await mock.getAddress(), TTL, FRESHNESS, 2 * DAY - 1, []))
      .to.be.revertedWithCustomError(Factory, "InvalidChangeDelay")
      .withArgs(2 * DAY - 1, 11155111);
    const ok = await Factory.deploy(owner!.address, await mock.getAddress(), TTL, FRESHNESS, 2 * DAY, []);
    expect(await ok.CHANGE_DELAY()).to.equal(BigInt(2 * DAY));
  });

  it("the constructor refuses a zero verifier and out-of-bounds TTL or freshness window", async () => {
    const m = await f.mock.getAddress();
    const deploy = (args: unknown[]) => f.ethers.deployContract("DealProof", args);
    await expect(deploy([f.owner.address, ZeroAddress, TTL, FRESHNESS, 0, []])).to.be.revertedWithCustomError(
      f.dealProof,
      "ZeroAddress",
    );
    await expect(deploy([f.owner.address, m, 0, FRESHNESS, 0, []]))
      .to.be.revertedWithCustomError(f.dealProof, "InvalidRegistrationTtl")
      .withArgs(0);
    await expect(deploy([f.owner.address, m, 2n ** 64n - 1n, FRESHNESS, 0, []]))
      .to.be.revertedWithCustomError(f.dealProof, "InvalidRegistrationTtl")
      .withArgs(2n ** 64n - 1n);
    await expect(deploy([f.owner.address, m, TTL, 30, 0, []]))
      .to.be.revertedWithCustomError(f.dealProof, "InvalidFreshnessWindow")
      .withArgs(30);
  });
});

describe("DealProof trust model: fees and plain ETH", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
  });

  it("a verifier that refunds part of its fee: the refund reaches the submitter, nothing sticks", async () => {
    await f.mock.setRefundPercent(40);
    const { dealId } = await openDeal(f);
    const s = outcome(dealId);
    await attest(f, s);
    const tx = f.dealProof.connect(f.stranger).settleWithQuote(s, "0x01", { value: 1000n });
    await expect(tx).to.emit(f.dealProof, "FeeRefunded").withArgs(f.stranger.address, 400n);
    await expect(tx).to.changeEtherBalances(f.ethers, [f.stranger, f.mock, f.dealProof], [-600n, 600n, 0n]);

    const now = await f.networkHelpers.time.latest();
    const key = hexlify(randomBytes(32));
    await f.mock.setRefundPercent(100);
    await f.mock.setResult(
      true,
      outputFor(reportDataFor(await f.dealProof.registrationDigest(f.oracle.address, key, now))),
    );
    await expect(
      f.dealProof.connect(f.stranger).registerOracle(f.oracle.address, key, now, "0x01", { value: 77n }),
    ).to.changeEtherBalances(f.ethers, [f.stranger, f.dealProof], [0n, 0n]);
  });

  it("reverts with FeeRefundFailed when the submitter cannot take the refund: nothing moves", async () => {
    await f.mock.setRefundPercent(50);
    const refuser = await f.ethers.deployContract("FeeRefuser");
    const { dealId } = await openDeal(f);
    const s = outcome(dealId);
    await attest(f, s);
    await expect(refuser.settle(f.address, s, "0x01", { value: 100n }))
      .to.be.revertedWithCustomError(f.dealProof, "FeeRefundFailed")
      .withArgs(await refuser.getAddress(), 50n);
    expect(await state(f, dealId)).to.equal(ACCEPTED);
    expect(await f.ethers.provider.getBalance(f.address)).to.equal(ESCROW);
  });

  it("refuses plain ETH, and ETH from the verifier outside a call", async () => {
    await expect(f.buyer.sendTransaction({ to: f.address, value: 1n }))
      .to.be.revertedWithCustomError(f.dealProof, "UnexpectedEther")
      .withArgs(f.buyer.address, 1n);
    expect(await f.ethers.provider.getBalance(f.address)).to.equal(0n);
  });
});

describe("DealProof trust model: the buyer's two-step cancellation (audit of issue 11)", () => {
  const DELAY = 2 * DAY;
  const NOTICE = 3600;
  const WINDOW = DAY;
  const SETTLED = 3n;
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

describe("DealProof trust model: scheduling and registration edge cases (audit of issue 11)", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await deployFixture();
  });

  it("a lapsed change that was never pruned may be scheduled again", async () => {
    const v = hexlify(randomBytes(32));
    const id = await f.dealProof.changeIdFor(KIND.AllowMeasurement, v);
    await f.dealProof.scheduleChange(KIND.AllowMeasurement, v);
    await f.networkHelpers.time.increase(14 * DAY + 1);
    expect(await f.dealProof.hasPendingChange()).to.equal(false);
    const tx = await f.dealProof.scheduleChange(KIND.AllowMeasurement, v);
    const now = await minedAt(f, tx);
    await expect(tx)
      .to.emit(f.dealProof, "ChangeScheduled")
      .withArgs(id, KIND.AllowMeasurement, v, now, now + 14 * DAY);
    expect(await f.dealProof.pendingChanges()).to.have.length(1);
  });

  it("refuses no-op widenings, which would open the cancel window for nothing", async () => {
    const dp = f.dealProof;
    const verifierWord = zeroPadValue(await f.mock.getAddress(), 32);
    await expect(dp.scheduleChange(KIND.SetVerifier, verifierWord))
      .to.be.revertedWithCustomError(dp, "ChangeDoesNotWiden")
      .withArgs(KIND.SetVerifier, verifierWord);
    await expect(dp.scheduleChange(KIND.AllowMeasurement, MEASUREMENT))
      .to.be.revertedWithCustomError(dp, "ChangeDoesNotWiden")
      .withArgs(KIND.AllowMeasurement, MEASUREMENT);
    await expect(dp.scheduleChange(KIND.AcceptTcbStatus, word(0)))
      .to.be.revertedWithCustomError(dp, "ChangeDoesNotWiden")
      .withArgs(KIND.AcceptTcbStatus, word(0));
    // a verifier word above 160 bits is not an address: its own error, not ZeroAddress
    await expect(dp.scheduleChange(KIND.SetVerifier, word(2n ** 160n)))
      .to.be.revertedWithCustomError(dp, "InvalidChangeValue")
      .withArgs(KIND.SetVerifier, word(2n ** 160n));
    expect(await dp.hasPendingChange()).to.equal(false);
    expect(await dp.pendingChanges()).to.have.length(0);
  });

  it("executing re-checks the change still widens: a shorter TTL after a longer one is refused", async () => {
    const dp = f.dealProof;
    const shorter = word(TTL + DAY);
    const longer = word(TTL + 2 * DAY);
    await dp.scheduleChange(KIND.LengthenRegistrationTtl, shorter);
    await dp.scheduleChange(KIND.LengthenRegistrationTtl, longer);
    await dp.executeChange(await dp.changeIdFor(KIND.LengthenRegistrationTtl, longer));
    const shorterId = await dp.changeIdFor(KIND.LengthenRegistrationTtl, shorter);
    await expect(dp.executeChange(shorterId))
      .to.be.revertedWithCustomError(dp, "NotWidening")
      .withArgs(TTL + 2 * DAY, TTL + DAY);
    expect(await dp.registrationTtl()).to.equal(BigInt(TTL + 2 * DAY));
    await expect(dp.cancelChange(shorterId)).to.emit(dp, "ChangeCancelled").withArgs(shorterId);
    expect(await dp.hasPendingChange()).to.equal(false);
  });

  it("refuses a registration already expired on arrival (a TTL shorter than the freshness window)", async () => {
    await widen(f, KIND.LengthenFreshnessWindow, word(DAY));
    await f.dealProof.shortenRegistrationTtl(3600);
    await f.networkHelpers.time.increase(3 * 3600);
    const issuedAt = (await f.networkHelpers.time.latest()) - 3600;
    const key = hexlify(randomBytes(32));
    const digest = await f.dealProof.registrationDigest(f.oracle.address, key, issuedAt);
    await f.mock.setResult(true, outputFor(reportDataFor(digest)));
    await expect(f.dealProof.registerOracle(f.oracle.address, key, issuedAt, "0x01"))
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
