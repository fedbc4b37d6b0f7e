/**
 * The off-chain TD attributes policy (oracle/quote/td-attributes.ts) agrees with the contract's
 * (TdPolicy.sol through DealProof) on every single bit, names the failing bit, and shows up in
 * verify-quote's JSON; the real dstack quote passes.
 */
import { expect } from "chai";
import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { checkTdAttributes } from "../../sdk/src/td-attributes.ts";
import { verifyQuote } from "../../oracle/quote/verify.ts";
import { p256 } from "@noble/curves/p256";
import { SimulatorBackend, DEFAULT_IMAGE } from "../../oracle/simulator/backend.ts";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { network } from "hardhat";
import { hexlify } from "ethers";
import { deployDealProof } from "../../tasks/lib/deploy.ts";
import { verifyAndAllowMeasurement } from "../../tasks/lib/measurement.ts";
import { rejects } from "../helpers.ts";
import { buildQuote, p256PublicKeyXY } from "../../oracle/simulator/quote.ts";
import { FIXTURES, PINNED_NOW, loadFixture } from "../fixtures/tdx.ts";
import { deployFixture, openDeal, outcome, attest } from "../fixtures/deal-proof.ts";

const PROD = [0, 0, 0, 0x10, 0, 0, 0, 0];

describe("TD attributes policy (off-chain, DESIGN.md §4)", () => {
  it("passes a production TD and names each failing bit", () => {
    expect(checkTdAttributes(Uint8Array.from(PROD))).to.deep.equal({ ok: true, problems: [] });
    expect(checkTdAttributes(Uint8Array.from([1, 0, 0, 0x10, 0, 0, 0, 0])).problems).to.deep.equal([
      "bit 0 DEBUG is set (a debug TD exposes its memory to the host)",
    ]);
    expect(checkTdAttributes(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0])).problems).to.deep.equal([
      "bit 28 SEPT_VE_DISABLE is clear (it must be set)",
    ]);
    expect(checkTdAttributes(Uint8Array.from([0, 0, 0, 0x30, 0, 0, 0, 0])).problems).to.deep.equal([
      "bit 29 reserved SEC bit 29 is set (it must be clear)",
    ]);
    expect(checkTdAttributes(Uint8Array.from([0, 0, 0, 0x10, 0, 0, 0, 1])).problems).to.deep.equal([
      "bit 56 OTHER reserved bit 56 is set (it must be clear)",
    ]);
    expect(checkTdAttributes(Uint8Array.from([0, 0, 0, 0xd0, 0, 0, 0, 0x80])).ok).to.equal(true);
    expect(checkTdAttributes(new Uint8Array(7)).ok).to.equal(false);
  });

  it("agrees with the contract on every single-bit flip of a production TD", async () => {
    const f = await deployFixture();
    for (let bit = 0; bit < 64; bit++) {
      const td = Uint8Array.from(PROD);
      td[bit >> 3]! ^= 1 << (bit & 7);
      const offChain = checkTdAttributes(td).ok;
      const { dealId } = await openDeal(f);
      const o = outcome(dealId);
      await attest(f, o, { tdAttributes: td });
      let onChain = true;
      try {
        await f.dealProof.settleWithQuote.staticCall(o, "0x01");
      } catch (e) {
        const name = f.dealProof.interface.parseError((e as { data: string }).data)?.name;
        if (name === "TdAttributesRejected") onChain = false;
      }
      expect(onChain, `bit ${bit}`).to.equal(offChain);
    }
  });

  it("verify-quote's JSON carries a tdAttributes check whose detail names the bit", () => {
    const sim = new SimulatorBackend(randomBytes(32));
    const keys = {
      attestationPrivateKey: p256.utils.randomPrivateKey(),
      pckPrivateKey: p256.utils.randomPrivateKey(),
    };
    const debugQuote = buildQuote({
      body: { ...sim.registers(), tdAttributes: Uint8Array.from([1, 0, 0, 0x10, 0, 0, 0, 0]) },
      keys,
    });
    const v = verifyQuote(debugQuote, { simulatorKeys: [p256PublicKeyXY(keys.attestationPrivateKey)] });
    expect(v.checks.find((c) => c.name === "signature")?.passed).to.equal(true);
    const check = v.checks.find((c) => c.name === "tdAttributes");
    expect(check?.passed).to.equal(false);
    expect(check?.detail).to.match(/bit 0 DEBUG is set/);
    expect(v.ok).to.equal(false);
  });

  it("measurement:allow refuses a DEBUG TD's quote, naming the bit, and allows nothing", async () => {
    const connection = await network.create();
    const sim = new SimulatorBackend(randomBytes(32));
    const keys = {
      attestationPrivateKey: p256.utils.randomPrivateKey(),
      pckPrivateKey: p256.utils.randomPrivateKey(),
    };
    const d = await deployDealProof(connection, { networkName: "t" });
    const debugQuote = buildQuote({
      body: { ...sim.registers(), tdAttributes: Uint8Array.from([1, 0, 0, 0x10, 0, 0, 0, 0]) },
      keys,
    });
    const file = join(mkdtempSync(join(tmpdir(), "debug-td-")), "getquote.json");
    writeFileSync(
      file,
      JSON.stringify({ quote: Buffer.from(debugQuote).toString("hex"), event_log: sim.eventLog() }),
    );
    await rejects(
      verifyAndAllowMeasurement(connection, d.dealProof, {
        quote: file,
        composeHash: DEFAULT_IMAGE.composeHash,
        simulatorKeys: [hexlify(p256PublicKeyXY(keys.attestationPrivateKey))],
      }),
      /tdAttributes \(0x0100001000000000: bit 0 DEBUG is set/,
    );
    const dp = await connection.ethers.getContractAt("DealProof", d.dealProof);
    expect(await dp.hasPendingChange()).to.equal(false);
  });

  it("the real dstack quote is a production TD", function () {
    if (!existsSync(FIXTURES)) {
      console.log(
        `    skipped: ${FIXTURES} is absent (a plain clone has no ../shared); this test needs the real quote`,
      );
      this.skip();
    }
    const { quote, collateral } = loadFixture();
    const v = verifyQuote(quote, { collateral, nowSeconds: PINNED_NOW });
    expect(v.checks.find((c) => c.name === "tdAttributes")?.passed).to.equal(true);
  });
});
