import { expect } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Runs a benchmark script as `npm run bench:*` would (same Node) and parses its `--json` line. */
async function bench(script: string, args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [`scripts/bench/${script}.ts`, "--json", ...args], {
    maxBuffer: 16 << 20,
    timeout: 240_000,
  });
  const line = stdout
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .at(-1);
  expect(line, `${script} printed no JSON object`).to.be.a("string");
  return JSON.parse(line!) as Record<string, unknown>;
}

const numbers = (o: Record<string, unknown>, keys: string[]) =>
  keys.filter((k) => typeof o[k] !== "number" || !Number.isFinite(o[k] as number));

// The benchmarks' figures are judged from their output, never here; these runs only prove that
// each benchmark still runs end to end (small sizes) and prints the keys its --json promises.
describe("benchmarks still run and print their --json keys", function () {
  this.timeout(300_000);

  it("bench:gas", async () => {
    const r = await bench("gas", []);
    expect(
      numbers(r, [
        "lifecycleSignature",
        "settleWithQuoteOverhead",
        "createDeal",
        "withdraw",
        "createDealRealistic",
        "acceptDealRealistic",
        "lifecycleSignatureRealistic",
        "publishListingRealistic",
        "createDealFromListingRealistic",
        "lifecycleFromListingRealistic",
      ]),
    ).to.deep.equal([]);
    // the realistic keys seal the demo's inputs (a DKIM .eml, the buyer's checks): larger than 200 bytes
    const more = (k: string) => (r[`${k}Realistic`] as number) - (r[k] as number);
    for (const k of ["createDeal", "acceptDeal", "publishListing", "createDealFromListing"])
      expect(more(k), k).to.be.greaterThan(5_000);
  });

  it("bench:sdk", async () => {
    const r = await bench("sdk", []);
    expect(
      numbers(r, ["viemEntryKbGzip", "ethersEntryKbGzip", "viemEntrySdkKbGzip", "ethersEntrySdkKbGzip"]),
    ).to.deep.equal([]);
    // the viem entry's bundle holds no ethers and no zod (the flow on the ethers entry holds both)
    expect([r.viemEntryEthersKb, r.viemEntryZodKb]).to.deep.equal([0, 0]);
    expect(r.ethersEntryZodKb as number).to.be.greaterThan(0);
  });

  it("bench:props (8 MiB)", async () => {
    const r = await bench("props", ["--size-mib", "8"]);
    expect(numbers(r, ["throughputRatio", "peakRssMB"])).to.deep.equal([]);
  });

  it("bench:checks (2 MB)", async () => {
    const r = await bench("checks", ["--mb", "2"]);
    expect(
      numbers(r, [
        "datasetMB",
        "checks",
        "stageSeconds",
        "duckdbAloneSeconds",
        "ratioToDuckdb",
        "peakRssMB",
        "stageProcessHwmMB",
        "engineChildHwmMB",
        "sampledSumRssMB",
        "duckdbAloneHwmMB",
        "hostileInputsTried",
        "hostileInputsSurvived",
        "profileSeconds",
      ]),
    ).to.deep.equal([]);
    // the engine child was found and sampled, and the figure is the sum of the two processes
    expect(r.engineChildHwmMB as number).to.be.above(0);
    const sum = (r.stageProcessHwmMB as number) + (r.engineChildHwmMB as number);
    expect(Math.abs((r.peakRssMB as number) - sum) < 1e-6, `${r.peakRssMB} vs ${sum}`).to.equal(true);
    expect(r.verdictOk).to.equal(true);
  });

  it("bench:negotiation (60 deals, 600 simulated for the attacker)", async () => {
    const r = await bench("negotiation", ["--deals", "60", "--train", "600"]);
    expect(
      numbers(r, [
        "agreementRate",
        "agreementRateFeasible",
        "agreementRateInfeasible",
        "meanRounds",
        "sellerSurplusShare",
        "buyerSurplusShare",
        "leakWithin1pct",
        "leakWithin5pct",
        "outcomeOnlyLeakWithin1pct",
        "leakExcessWithin1pct",
        "leakExcessWithin1pctCiHigh",
        "leakExcessWithin5pct",
        "leakExcessWithin5pctCiHigh",
        "mediatedShare",
        "convergedShare",
        "buyerShadingGain10pct",
        "sellerShadingGain10pct",
      ]),
    ).to.deep.equal([]);
  });

  it("bench:faults (4 deals, 1 SIGKILL, 500 ms blocks)", async () => {
    const r = await bench("faults", ["--deals", "4", "--kills", "1", "--block-ms", "500"]);
    expect(
      numbers(r, [
        "deals",
        "settledOnce",
        "duplicateTxs",
        "stuck",
        "killCount",
        "selfExits",
        "p95SettleSeconds",
      ]),
    ).to.deep.equal([]);
  });

  it("bench:faults --reorgs (3 deals, 2 reorganisations, 2 confirmations, 500 ms blocks)", async () => {
    const r = await bench("faults", [
      ...["--deals", "3", "--kills", "0", "--reorgs", "2", "--confirmations", "2", "--block-ms", "500"],
    ]);
    expect(
      numbers(r, [
        "settledOnce",
        "duplicateTxs",
        "stuck",
        "reorgs",
        "reorgsDroppingOracleTxs",
        "oracleTxsForgotten",
      ]),
    ).to.deep.equal([]);
    expect(r.reorgs).to.equal(2);
    expect(r.reorgDepths).to.be.an("array").with.length(2);
  });

  it("bench:oracle (12 deals: more than its 9 buyer/seller pairs, both settlement paths)", async () => {
    for (const settle of ["quote", "signature"]) {
      const r = await bench("oracle", ["--deals", "12", "--settle", settle]);
      expect(numbers(r, ["dealsPerMinute", "ceilingPerMinute", "p50Ms", "p95Ms"])).to.deep.equal([]);
      expect(r.settleMode).to.equal(settle);
    }
  });
});
