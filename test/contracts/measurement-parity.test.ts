/**
 * The measurement id (DESIGN.md §4) computed by sdk/src/measurement.ts equals the one
 * contracts/lib/DcapOutput.sol computes, on fuzzed TD10 bodies and on the real dstack quote in
 * ../shared/fixtures/tdx; and DcapOutput.parse reads FMSPC, TD attributes and xFAM where the TS
 * reader does.
 */
import { expect } from "chai";
import { existsSync } from "node:fs";
import { network } from "hardhat";
import { hexlify, randomBytes } from "ethers";
import { measurementId } from "../../sdk/src/measurement.ts";
import { buildVerifierOutput, parseVerifierOutput } from "../../oracle/simulator/dcap-output.ts";
import { parseQuote } from "../../oracle/quote/reader.ts";
import { HEADER_LEN, TD10_BODY_LEN } from "../../oracle/quote/layout.ts";
import { FIXTURES, loadFixture } from "../fixtures/tdx.ts";

describe("measurement id parity: TypeScript and DcapOutput.sol", () => {
  let harness: Awaited<ReturnType<typeof deploy>>;
  async function deploy() {
    const { ethers } = await network.create();
    return ethers.deployContract("DcapOutputHarness");
  }
  before(async () => {
    harness = await deploy();
  });

  it("agree on 48 fuzzed TD10 bodies, and parse() reads fmspc, tdAttributes and xfam as TS does", async () => {
    for (let i = 0; i < 48; i++) {
      const body = randomBytes(TD10_BODY_LEN);
      const fmspc = randomBytes(6);
      const out = buildVerifierOutput(body, { tcbStatus: i % 10, fmspc });
      const ts = parseVerifierOutput(out);
      const v = await harness.parse(out);
      expect(v.measurementId, `body ${i}`).to.equal(measurementId(ts.body));
      expect(await harness.measurementId(out)).to.equal(v.measurementId);
      expect([v.fmspc, v.tdAttributes, v.xfam, Number(v.tcbStatus)]).to.deep.equal([
        hexlify(fmspc),
        hexlify(ts.body.tdAttributes),
        hexlify(ts.body.xfam),
        i % 10,
      ]);
    }
  });

  it("agree on the real dstack quote's body", async function () {
    if (!existsSync(FIXTURES)) {
      console.log(
        `    skipped: ${FIXTURES} is absent (a plain clone has no ../shared); this test needs the real quote`,
      );
      this.skip();
    }
    const { quote } = loadFixture();
    const q = parseQuote(quote);
    const out = buildVerifierOutput(quote.slice(HEADER_LEN, HEADER_LEN + TD10_BODY_LEN));
    const v = await harness.parse(out);
    expect(v.measurementId).to.equal(measurementId(q.body));
    expect(v.tdAttributes).to.equal(hexlify(q.body.tdAttributes));
    expect(v.xfam).to.equal(hexlify(q.body.xfam));
  });

  it("rejects a field of the wrong length in TypeScript, naming it", () => {
    const body = parseVerifierOutput(buildVerifierOutput(randomBytes(TD10_BODY_LEN))).body;
    expect(() => measurementId({ ...body, xfam: new Uint8Array(7) })).to.throw(/xfam must be 8 bytes, got 7/);
  });

  it("reverts with VerifierOutputTooShort(length) below 595 bytes", async () => {
    await expect(harness.measurementId(randomBytes(594)))
      .to.be.revertedWithCustomError(harness, "VerifierOutputTooShort")
      .withArgs(594);
  });
});
