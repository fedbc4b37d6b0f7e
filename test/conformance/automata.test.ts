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
import { getBytes, hexlify, Wallet, type Contract } from "ethers";
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
import { rejects } from "../helpers.ts";
import { measurementId } from "../../oracle/protocol/measurement.ts";

/** EIP-170: the largest deployable runtime code. */
const MAX_CODE_SIZE = 24_576;

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
    let harness: Contract;
    before(async () => {
      s = await setUpUpstream();
      harness = (await s.connection.ethers.deployContract("DcapOutputFieldsHarness")) as unknown as Contract;
    });

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

    it("cannot go through the default entrypoint: dcap-qvl's collateral has no TCB evaluation data", async () => {
      const router = s.automata.router;
      await expect(s.automata.attestation["verifyAndAttestOnChain(bytes)"]!.staticCall(s.quote))
        .to.be.revertedWithCustomError(router, "TcbEvalExpiredOrNotFound")
        .withArgs(1); // TcbId.TDX
    });

    it("verifies with its TCB evaluation data number (18) given, and DcapOutput agrees with the TS reader", async () => {
      const r = await verifyOnChain(s);
      expect(r.success, Buffer.from(getBytes(r.output)).toString()).to.equal(true);
      const harness = (await s.connection.ethers.deployContract(
        "DcapOutputFieldsHarness",
      )) as unknown as Contract;
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
    let dealProof: Contract;
    const oracle = Wallet.createRandom();
    const key = hexlify(new Uint8Array(32).fill(7)) as Hex;
    before(async () => {
      s = await setUpUpstream();
      const [owner] = await s.connection.ethers.getSigners();
      dealProof = (await s.connection.ethers.deployContract("DealProof", [
        owner!.address,
        await s.automata.attestation.getAddress(),
        7 * 24 * 3600,
      ])) as unknown as Contract;
    });

    it("registerOracle with the real quote passes Automata, then each policy check in turn, and stops at report_data", async () => {
      const q = parseQuote(getBytes(s.quote));
      const id = measurementId(q.body);
      const register = () => dealProof.registerOracle!(oracle.address, key, s.quote);
      await expect(register()).to.be.revertedWithCustomError(dealProof, "TcbStatusNotAccepted").withArgs(4);
      await (await dealProof.setTcbStatusAccepted!(4, true)).wait();
      await expect(register()).to.be.revertedWithCustomError(dealProof, "MeasurementNotAllowed").withArgs(id);
      await (await dealProof.setMeasurementAllowed!(id, true)).wait();
      const digest = (await dealProof.registrationDigest!(oracle.address, key)) as string;
      await expect(register())
        .to.be.revertedWithCustomError(dealProof, "ReportDataMismatch")
        .withArgs(digest, hexlify(q.body.reportData.slice(0, 32)), hexlify(q.body.reportData.slice(32)));
      const current = (await dealProof.currentOracle!()) as [string];
      expect(current[0]).to.equal("0x0000000000000000000000000000000000000000");
    });

    it("registerOracle with the quote's signature broken reverts inside Automata's verifier; nothing is registered", async () => {
      const q = getBytes(s.quote);
      q[48 + 520]! ^= 1;
      await rejects(dealProof.registerOracle!(oracle.address, key, hexlify(q)), /reverted without a reason/);
      const current = (await dealProof.currentOracle!()) as [string];
      expect(current[0]).to.equal("0x0000000000000000000000000000000000000000");
    });
  });
});
