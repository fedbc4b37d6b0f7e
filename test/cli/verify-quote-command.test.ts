import { expect } from "chai";
import { network } from "hardhat";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hexlify, randomBytes } from "ethers";
import { main } from "../../oracle/cli/verify-quote.ts";
import { SimulatorBackend, DEFAULT_IMAGE } from "../../oracle/simulator/backend.ts";
import { deployDealProof } from "../../tasks/lib/deploy.ts";
import { verifyAndAllowMeasurement } from "../../tasks/lib/measurement.ts";
import { FIXTURES } from "../fixtures/tdx.ts";
import { rejects } from "../helpers.ts";

/** Runs the CLI's main() and captures what it prints. */
function cli(args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    return { code: main(args), out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe("verify-quote command", () => {
  describe("on the real dstack quote", function () {
    before(function () {
      if (!existsSync(FIXTURES)) {
        console.log(`    skipped: ${FIXTURES} is absent (a plain clone has no ../shared)`);
        this.skip();
      }
    });
    const response = () => join(FIXTURES, "dstack-getquote-response.json");
    const collateral = () => join(FIXTURES, "dstack-getquote-collateral.json");

    it("prints an UpToDate verdict with the app identity and exits 0", () => {
      const r = cli([
        response(),
        "--collateral",
        collateral(),
        "--now",
        "2026-03-01T00:00:00Z",
        "--compose-hash",
        "3763bc34552cf3a27ff71ad5f7a90471562a1a2df552dfc1998cba2d60da27e7",
        "--report-data",
        "0x1234",
      ]);
      expect(r.code).to.equal(0);
      const v = JSON.parse(r.out);
      expect([v.ok, v.mode, v.tcbStatus, v.appId]).to.deep.equal([
        true,
        "real",
        "UpToDate",
        "3763bc34552cf3a27ff71ad5f7a90471562a1a2d",
      ]);
      expect(v.checks.map((c: { name: string }) => c.name)).to.deep.equal([
        "format",
        "tdAttributes",
        "dcap",
        "tcbStatus",
        "reportData",
        "rtmr3",
        "composeHash",
      ]);
      expect(v.measurementId).to.match(/^0x[0-9a-f]{64}$/);
    });

    it("exits 1 with the failing checks for a wrong expected report_data, or today's date", () => {
      const wrong = cli([
        response(),
        "--collateral",
        collateral(),
        "--now",
        "2026-03-01T00:00:00Z",
        "--report-data",
        "0x9999",
      ]);
      expect(wrong.code).to.equal(1);
      expect(
        JSON.parse(wrong.out).checks.find((c: { name: string }) => c.name === "reportData").passed,
      ).to.equal(false);
      expect(cli([response(), "--collateral", collateral()]).code).to.equal(1);
    });
  });

  it("verifies a simulated quote given as hex, as a hex file and as a binary file", async () => {
    const sim = new SimulatorBackend(randomBytes(32));
    const { quote } = await sim.getQuote(new Uint8Array(64).fill(5));
    const dir = mkdtempSync(join(tmpdir(), "vq-"));
    writeFileSync(join(dir, "q.hex"), hexlify(quote));
    writeFileSync(join(dir, "q.bin"), quote);
    const key = hexlify(sim.attestationPublicKey());
    for (const input of [hexlify(quote), join(dir, "q.hex"), join(dir, "q.bin")]) {
      const r = cli([input, "--simulator-key", key]);
      expect(r.code, input).to.equal(0);
      expect(JSON.parse(r.out).mode).to.equal("simulated");
    }
    expect(cli([hexlify(quote)]).code).to.equal(1);
  });

  it("exits 2 with a clear message on bad usage", () => {
    expect(cli([]).code).to.equal(2);
    const bad = cli(["/no/such/file"]);
    expect(bad.code).to.equal(2);
    expect(bad.err).to.match(/neither hex nor an existing file/);
    expect(cli(["0x00", "--now", "yesterday"]).err).to.match(/--now must be an ISO date/);
    expect(cli(["0x00", "--simulator-key", "0x12"]).err).to.match(/--simulator-key must be 64 bytes/);
    expect(cli(["0x00", "--bogus"]).code).to.equal(2);
  });
});

describe("measurement:allow (verifyAndAllowMeasurement)", () => {
  it("allows a verified CVM's measurement only with the matching compose hash", async () => {
    const connection = await network.create();
    const sim = new SimulatorBackend(randomBytes(32));
    const d = await deployDealProof(connection, {
      networkName: "t",
      attestationKeys: [sim.attestationPublicKey()],
    });
    const dir = mkdtempSync(join(tmpdir(), "allow-"));
    const { quote, eventLog } = await sim.getQuote(new Uint8Array(64));
    const file = join(dir, "getquote.json");
    writeFileSync(file, JSON.stringify({ quote: Buffer.from(quote).toString("hex"), event_log: eventLog }));
    const key = hexlify(sim.attestationPublicKey());
    const dp = await connection.ethers.getContractAt("DealProof", d.dealProof);

    await rejects(
      verifyAndAllowMeasurement(connection, d.dealProof, {
        quote: file,
        composeHash: "ab".repeat(32),
        simulatorKeys: [key],
      }),
      /composeHash/,
    );
    await rejects(
      verifyAndAllowMeasurement(connection, d.dealProof, {
        quote: hexlify(quote),
        composeHash: DEFAULT_IMAGE.composeHash,
        simulatorKeys: [key],
      }),
      /composeHash \(needs an event log/,
    );
    await rejects(
      verifyAndAllowMeasurement(connection, d.dealProof, {
        quote: file,
        composeHash: DEFAULT_IMAGE.composeHash,
      }),
      /dcap/,
    );
    expect(await dp.allowedMeasurements(sim.measurementId())).to.equal(false);

    const r = await verifyAndAllowMeasurement(connection, d.dealProof, {
      quote: file,
      composeHash: DEFAULT_IMAGE.composeHash,
      simulatorKeys: [key],
    });
    expect(r.measurementId).to.equal(sim.measurementId());
    expect(r.action).to.equal("executed"); // a local deployment has a change delay of 0
    expect(await dp.allowedMeasurements(sim.measurementId())).to.equal(true);
    const again = await verifyAndAllowMeasurement(connection, d.dealProof, {
      quote: file,
      composeHash: DEFAULT_IMAGE.composeHash,
      simulatorKeys: [key],
    });
    expect(again.action).to.equal("already-allowed");
    const off = await verifyAndAllowMeasurement(
      connection,
      d.dealProof,
      { quote: file, composeHash: DEFAULT_IMAGE.composeHash, simulatorKeys: [key] },
      false,
    );
    expect([off.action, await dp.allowedMeasurements(sim.measurementId())]).to.deep.equal([
      "disallowed",
      false,
    ]);
  });

  it("with a change delay, schedules on the first run and executes on a run after the delay", async () => {
    const connection = await network.create();
    const sim = new SimulatorBackend(randomBytes(32));
    const d = await deployDealProof(connection, {
      networkName: "t",
      attestationKeys: [sim.attestationPublicKey()],
      changeDelay: 2n * 86400n,
    });
    const dir = mkdtempSync(join(tmpdir(), "allow-"));
    const { quote, eventLog } = await sim.getQuote(new Uint8Array(64));
    const file = join(dir, "getquote.json");
    writeFileSync(file, JSON.stringify({ quote: Buffer.from(quote).toString("hex"), event_log: eventLog }));
    const args = {
      quote: file,
      composeHash: DEFAULT_IMAGE.composeHash,
      simulatorKeys: [hexlify(sim.attestationPublicKey())],
    };
    const dp = await connection.ethers.getContractAt("DealProof", d.dealProof);
    const first = await verifyAndAllowMeasurement(connection, d.dealProof, args);
    expect(first.action).to.equal("scheduled");
    expect(await dp.hasPendingChange()).to.equal(true);
    expect(await dp.allowedMeasurements(sim.measurementId())).to.equal(false);
    const early = await verifyAndAllowMeasurement(connection, d.dealProof, args);
    expect([early.action, early.changeId, early.readyAt]).to.deep.equal([
      "scheduled",
      first.changeId,
      first.readyAt,
    ]);
    await connection.networkHelpers.time.increaseTo(first.readyAt!);
    const done = await verifyAndAllowMeasurement(connection, d.dealProof, args);
    expect(done.action).to.equal("executed");
    expect(await dp.allowedMeasurements(sim.measurementId())).to.equal(true);
  });
});
