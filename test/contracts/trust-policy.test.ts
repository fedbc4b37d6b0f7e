/**
 * TrustPolicy (DESIGN.md §2, issue 11): the TD attributes policy, the owner's narrowing (immediate)
 * and widening (scheduled, announced, executable within the grace period, re-checked) powers, what
 * the owner cannot do, two-step ownership, TTL and delay bounds, fee refunds and plain-ETH refusal.
 * Each line of docs/contracts.md "What the owner can and cannot do" names the test that proves it;
 * every refusal asserts its custom error and that nothing moved.
 */
import { expect } from "chai";
import { type FunctionFragment, hexlify, randomBytes, zeroPadValue, ZeroAddress } from "ethers";
import {
  deployFixture,
  openDeal,
  outcome,
  attest,
  outputFor,
  ESCROW,
  TTL,
  FRESHNESS,
  INSTANCE_ID,
  KIND,
  MEASUREMENT,
  ACCEPTED,
  DAY,
  word,
  state,
  minedAt,
  type Fixture,
} from "../fixtures/deal-proof.ts";
import { reportDataFor } from "../../sdk/src/eip712.ts";

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
      const digest = await f.dealProof.registrationDigest(f.oracle.address, key, INSTANCE_ID, now);
      await f.mock.setResult(true, outputFor(reportDataFor(digest), { tdAttributes: td }));
      await expect(f.dealProof.registerOracle(f.oracle.address, key, INSTANCE_ID, now, "0x01"))
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
      outputFor(reportDataFor(await f.dealProof.registrationDigest(f.oracle.address, key, INSTANCE_ID, now))),
    );
    await expect(
      f.dealProof
        .connect(f.stranger)
        .registerOracle(f.oracle.address, key, INSTANCE_ID, now, "0x01", { value: 77n }),
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

describe("DealProof trust model: scheduling edge cases (audit of issue 11)", () => {
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
