import { expect } from "chai";
import { parseSummary } from "../../scripts/lib/summary.ts";

describe("test runner summary parsing (what CI's count comes from)", () => {
  it("reads passing, failing and pending from a mocha summary", () => {
    const out = "\n  hello\n    ✔ a\n\n  3 passing (2s)\n  1 pending\n  2 failing\n\n  1) x\n";
    expect(parseSummary(out)).to.deep.equal({ passed: 3, failed: 2, skipped: 1 });
  });
  it("reads the Solidity runner's summary and ignores colour codes", () => {
    const out = "\x1b[32m  12 passing\x1b[0m\n";
    expect(parseSummary(out)).to.deep.equal({ passed: 12, failed: 0, skipped: 0 });
  });
  it("takes the first (per-runner) summary, not Hardhat's combined line", () => {
    const out = "  1 passing (3ms)\n  1 pending\n\n2 passing (1 solidity, 1 mocha)\n";
    expect(parseSummary(out)).to.deep.equal({ passed: 1, failed: 0, skipped: 1 });
  });
  it("returns undefined when a runner printed no summary (a crash)", () => {
    expect(parseSummary("Error: cannot find module\n")).to.equal(undefined);
  });
});
