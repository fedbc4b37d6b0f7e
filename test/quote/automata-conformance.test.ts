/**
 * Conformance with Automata's own DCAP verifier: its PCCS, V4QuoteVerifier and
 * AutomataDcapAttestationFee (vendored in ../shared/vendor/automata-dcap, compiled once per
 * lockfile and sources by scripts/automata/compile.ts) deployed on the local EDR chain (Osaka,
 * P-256 through the 0x100 precompile), real Intel collateral loaded through the DAOs' own
 * checks, and real TDX quotes verified in real transactions. DcapOutput's reading of Automata's
 * real output must equal the TypeScript reader's reading of the same quote, field by field, and
 * DealProof wired to the real verifier must refuse the quote at exactly the check that applies.
 *
 * Skips, with one line saying why, when the vendor folder (or, for the dstack quote, the
 * fixtures folder) is absent: a plain clone of the project has no ../shared.
 */
import { expect } from "chai";
import { existsSync } from "node:fs";
import { getBytes, hexlify, toBeHex, Wallet, ZeroAddress } from "ethers";
import type { DealProof } from "../../oracle/chain/dealproof.ts";
import type { DcapOutputFieldsHarness } from "../../types/ethers-contracts/test/harness/DcapOutputFieldsHarness.ts";
import { loadAutomataArtifacts } from "../../scripts/automata/artifacts.ts";
import { cacheKey, vendorPresent, VENDOR_ROOT } from "../../scripts/automata/sources.ts";
import { DSTACK_FIXTURES, type Hex } from "../../scripts/automata/collateral.ts";
import {
  compareWithReader,
  setUpDstack,
  setUpUpstream,
  verifyOnChain,
  type Setup,
} from "../../scripts/automata/conformance.ts";
import { parseQuote } from "../../oracle/quote/reader.ts";
import { checkTdAttributes } from "../../sdk/src/td-attributes.ts";
import { rejects } from "../helpers.ts";
import { FRESHNESS, INSTANCE_ID, KIND, TTL } from "../fixtures/deal-proof.ts";
import { OUTPUT, TD10 } from "../../oracle/quote/layout.ts";
import { measurementId } from "../../sdk/src/measurement.ts";

/** EIP-170: the largest deployable runtime code. */
const MAX_CODE_SIZE = 24_576;
const BODY = OUTPUT.body;
const TD_ATTRIBUTES = TD10.tdAttributes[0];

describe("conformance: Automata's DCAP verifier on the local chain (Osaka, P-256 at 0x100)", function () {
  // the first run compiles the vendored sources (about a minute on one core); later runs read the cache
  this.timeout(600_000);

  before(async function () {
    if (!vendorPresent()) {
      console.log(
        `    skipped: ${VENDOR_ROOT} is absent (a plain clone has no ../shared); nothing to conform to`,
      );
      this.skip();
    }
  });

  it("compiles the vendored sources once per lockfile and sources hash, every contract deployable", async () => {
    const artifacts = await loadAutomataArtifacts();
    expect(artifacts.key).to.equal(cacheKey());
    expect(artifacts.solcVersion).to.match(/^0\.8\.33\+/);
    for (const [name, a] of Object.entries(artifacts.contracts)) {
      expect(a.deployedSize, name).to.be.within(1, MAX_CODE_SIZE);
    }
  });

  describe("Automata's own TDX test quote (forge-test, assets/0625, block time 1749095100)", () => {
    let s: Setup;
    let harness: DcapOutputFieldsHarness;
    before(async () => {
      s = await setUpUpstream();
      harness = await s.connection.ethers.deployContract("DcapOutputFieldsHarness");
    });
    after(async () => s?.connection.close());

    it("verifies on-chain in a real transaction and emits a v1.1 output", async () => {
      const r = await verifyOnChain(s);
      expect(r.success, Buffer.from(getBytes(r.output)).toString()).to.equal(true);
      expect(getBytes(r.output).length).to.be.at.least(595);
      console.log(`    gas of one on-chain TDX verification (Osaka, P-256 precompile): ${r.gasUsed}`);
    });

    it("DcapOutput reads Automata's output exactly as the TS reader reads the quote", async () => {
      const r = await verifyOnChain(s);
      const c = await compareWithReader(harness, r.output, s.quote, s.qvl);
      const differ = c.fields.filter((f) => !f.match);
      expect(differ, JSON.stringify(differ)).to.deep.equal([]);
      expect(c.fields.map((f) => f.field)).to.include.members([
        "version",
        "bodyType",
        "tcbStatus",
        "fmspc",
        "tdAttributes",
        "xfam",
        "mrConfigId",
        "rtMr0",
        "rtMr3",
        "reportData",
      ]);
      expect(c.measurementIdMatches).to.equal(true);
      // Intel's 0625 TCB info rates this platform OutOfDate, and both verifiers say so
      expect(c.tcbStatus).to.equal("OutOfDate");
    });

    it("refuses the quote with one report_data bit flipped: the transaction reverts and emits nothing", async () => {
      const q = getBytes(s.quote);
      q[48 + 520]! ^= 1;
      // The P-256 precompile returns empty output for a bad signature; upstream's P256Verifier
      // abi.decodes it as uint256, so the call reverts instead of returning (false, reason).
      await rejects(verifyOnChain(s, hexlify(q) as Hex), /reverted without a reason/);
      const again = await verifyOnChain(s);
      expect(again.success).to.equal(true);
    });
  });

  describe("the dstack quote (fixtures/tdx, collateral converted from dcap-qvl's shape)", () => {
    let s: Setup;
    before(async function () {
      if (!existsSync(DSTACK_FIXTURES)) {
        console.log(`    skipped: ${DSTACK_FIXTURES} is absent (a plain clone has no ../shared)`);
        this.skip();
      }
      s = await setUpDstack();
    });
    after(async () => s?.connection.close());

    it("cannot go through the default entrypoint: dcap-qvl's collateral has no TCB evaluation data", async () => {
      const router = s.automata.router;
      await expect(s.automata.attestation["verifyAndAttestOnChain(bytes)"]!.staticCall(s.quote))
        .to.be.revertedWithCustomError(router, "TcbEvalExpiredOrNotFound")
        .withArgs(1); // TcbId.TDX
    });

    it("verifies with its TCB evaluation data number (18) given, and DcapOutput agrees with the TS reader", async () => {
      const r = await verifyOnChain(s);
      expect(r.success, Buffer.from(getBytes(r.output)).toString()).to.equal(true);
      const harness = await s.connection.ethers.deployContract("DcapOutputFieldsHarness");
      const c = await compareWithReader(harness, r.output, s.quote, s.qvl);
      const differ = c.fields.filter((f) => !f.match);
      expect(differ, JSON.stringify(differ)).to.deep.equal([]);
      expect(c.measurementIdMatches).to.equal(true);
      expect(c.tcbStatus).to.equal("UpToDate");
      console.log(`    gas of the dstack quote's verification: ${r.gasUsed}`);
    });
  });

  describe("DealProof with Automata's verifier", () => {
    let s: Setup;
    let owner: Awaited<ReturnType<Setup["connection"]["ethers"]["getSigners"]>>[number];
    const oracle = Wallet.createRandom();
    const key = hexlify(new Uint8Array(32).fill(7)) as Hex;
    const body = () => parseQuote(getBytes(s.quote)).body;

    /** DealProof (change delay 0 on chain 31337, no measurement allowed) on `verifier`. */
    async function dealProofOn(verifier: string): Promise<DealProof> {
      return s.connection.ethers.deployContract("DealProof", [
        owner.address,
        verifier,
        TTL,
        FRESHNESS,
        0,
        [],
      ]);
    }
    /** A widening change: scheduled, then executed (delay 0). */
    async function widen(dp: DealProof, kind: number, value: string) {
      await (await dp.scheduleChange(kind, value)).wait();
      await (await dp.executeChange(await dp.changeIdFor(kind, value))).wait();
    }
    /** An issuedAt inside the freshness window at the chain's (warped) time. */
    const freshIssuedAt = async () => BigInt((await s.connection.networkHelpers.time.latest()) - 60);

    before(async () => {
      s = await setUpUpstream();
      [owner] = (await s.connection.ethers.getSigners()) as [typeof owner];
    });
    after(async () => s?.connection.close());

    it("registerOracle with the real quote passes Automata, then each policy check in turn, and stops at report_data", async () => {
      const dealProof = await dealProofOn(await s.automata.attestation.getAddress());
      const id = measurementId(body());
      const issuedAt = await freshIssuedAt();
      const register = () => dealProof.registerOracle(oracle.address, key, INSTANCE_ID, issuedAt, s.quote);
      await expect(register()).to.be.revertedWithCustomError(dealProof, "TcbStatusNotAccepted").withArgs(4);
      await widen(dealProof, KIND.AcceptTcbStatus, toBeHex(4, 32));
      await expect(register()).to.be.revertedWithCustomError(dealProof, "MeasurementNotAllowed").withArgs(id);
      await widen(dealProof, KIND.AllowMeasurement, id);
      const digest = await dealProof.registrationDigest(oracle.address, key, INSTANCE_ID, issuedAt);
      const rd = body().reportData;
      await expect(register())
        .to.be.revertedWithCustomError(dealProof, "ReportDataMismatch")
        .withArgs(digest, hexlify(rd.slice(0, 32)), hexlify(rd.slice(32)));
      expect((await dealProof.currentOracle()).signer).to.equal(ZeroAddress);
    });

    it("registerOracle with the quote's signature broken reverts inside Automata's verifier; nothing is registered", async () => {
      const dealProof = await dealProofOn(await s.automata.attestation.getAddress());
      await widen(dealProof, KIND.AcceptTcbStatus, toBeHex(4, 32));
      await widen(dealProof, KIND.AllowMeasurement, measurementId(body()));
      const q = getBytes(s.quote);
      q[48 + 520]! ^= 1;
      await rejects(
        dealProof.registerOracle(oracle.address, key, INSTANCE_ID, await freshIssuedAt(), hexlify(q)),
        /reverted without a reason/,
      );
      expect((await dealProof.currentOracle()).signer).to.equal(ZeroAddress);
    });

    it("the real output with the DEBUG bit set parses as DEBUG and is refused by the TD attributes policy", async () => {
      const real = await verifyOnChain(s);
      expect(real.success).to.equal(true);
      const debug = getBytes(real.output);
      debug[BODY + TD_ATTRIBUTES]! |= 0x01; // tdAttributes byte 0 bit 0: DEBUG (re-signing is impossible)
      const harness = await s.connection.ethers.deployContract("DcapOutputFieldsHarness");
      const [p, d] = await Promise.all([harness.parse(real.output), harness.parse(debug)]);
      expect(d.tdAttributes).to.equal("0x0100001000000000");
      expect(p.tdAttributes).to.equal("0x0000001000000000");
      // the off-chain policy agrees: the real TD is a production TD, the edited one is not
      expect(checkTdAttributes(getBytes(p.tdAttributes)).ok).to.equal(true);
      expect(checkTdAttributes(getBytes(d.tdAttributes)).ok).to.equal(false);
      // a DEBUG TD of the same image is another measurement (tdAttributes are in the id)
      expect(d.measurementId).to.not.equal(p.measurementId);
      for (const f of [
        "version",
        "bodyType",
        "tcbStatus",
        "fmspc",
        "xfam",
        "reportDataLow",
        "reportDataHigh",
      ] as const)
        expect(d[f], f).to.equal(p[f]);

      // DealProof on a verifier that returns its input as the verified output, with both
      // measurement ids allowed: the real output reaches report_data, the DEBUG one stops at the policy
      const echo = await s.connection.ethers.deployContract("EchoDcapVerifier");
      const dealProof = await dealProofOn(await echo.getAddress());
      await widen(dealProof, KIND.AcceptTcbStatus, toBeHex(4, 32));
      await widen(dealProof, KIND.AllowMeasurement, p.measurementId as string);
      await widen(dealProof, KIND.AllowMeasurement, d.measurementId as string);
      const issuedAt = await freshIssuedAt();
      await expect(
        dealProof.registerOracle(oracle.address, key, INSTANCE_ID, issuedAt, real.output),
      ).to.be.revertedWithCustomError(dealProof, "ReportDataMismatch");
      await expect(dealProof.registerOracle(oracle.address, key, INSTANCE_ID, issuedAt, hexlify(debug)))
        .to.be.revertedWithCustomError(dealProof, "TdAttributesRejected")
        .withArgs("0x0100001000000000");
    });
  });
});
