/**
 * A third party re-derives the terms hash from published terms and reads the data checks they
 * bind (oracle/cli/terms-checks.ts, verify-quote --terms): the hash is keccak256 of the canonical
 * JSON however the file is formatted, a changed result changes it, and verify-quote shows every
 * check result next to its other checks and fails on a terms hash that does not match.
 */
import { expect } from "chai";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { noDealTerms } from "../../oracle/negotiation/index.ts";
import { summariseTerms } from "../../oracle/cli/terms-checks.ts";
import { main } from "../../oracle/cli/verify-quote.ts";

const dir = mkdtempSync(join(tmpdir(), "dealproof-terms-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const report = {
  specHash: `0x${"ab".repeat(32)}`,
  policy: { maxChecks: 16, results: "rounded", precision: 2, minGroupSize: 10, profileColumns: null },
  datasheet: {
    verified: true,
    results: [{ id: "datasheet.row_count", kind: "rowCount", required: true, status: "pass" }],
  },
  results: [
    { id: "rows", kind: "rowCount", required: true, status: "fail", value: 120 },
    {
      id: "nulls",
      kind: "nullFraction",
      required: false,
      status: "refused",
      reason: "policy.column_not_profiled",
    },
  ],
};

describe("published terms: re-derived hash and the data checks they bind", () => {
  const t = noDealTerms({
    dealId: 7n,
    reason: "checks: the buyer's required check rows failed",
    reasonCode: "check.failed:rows",
    dataFacts: { sizeBytes: 10, checks: report },
  });

  it("re-derives termsHash from a pretty-printed copy and lists every result", () => {
    const pretty = JSON.stringify(JSON.parse(t.termsJson), null, 2);
    const s = summariseTerms(pretty, t.termsHash);
    expect(s.termsHash).to.equal(t.termsHash);
    expect(s.termsHashMatches).to.equal(true);
    expect(s.specHash).to.equal(report.specHash);
    expect(s.reasonCode).to.equal("check.failed:rows");
    expect(s.results.map((r) => [r.id, r.status])).to.deep.equal([
      ["datasheet.row_count", "pass"],
      ["rows", "fail"],
      ["nulls", "refused"],
    ]);
    // one changed result is another hash
    const forged = JSON.parse(t.termsJson);
    forged.dataFacts.checks.results[0].status = "pass";
    expect(summariseTerms(JSON.stringify(forged), t.termsHash).termsHashMatches).to.equal(false);
    expect(() => summariseTerms("{nope")).to.throw(/not JSON/);
  });

  it("verify-quote --terms shows the checks and fails on a wrong terms hash", () => {
    const file = join(dir, "terms.json");
    writeFileSync(file, t.termsJson);
    const logs: string[] = [];
    const orig = console.log;
    console.log = (s: string) => logs.push(s);
    let code: number;
    try {
      code = main([`0x${"00".repeat(64)}`, "--terms", file, "--terms-hash", `0x${"11".repeat(32)}`]);
    } finally {
      console.log = orig;
    }
    expect(code).to.equal(1);
    const out = JSON.parse(logs.join("\n"));
    expect(out.terms.termsHash).to.equal(t.termsHash);
    const names = out.checks.map((c: { name: string }) => c.name);
    expect(names).to.include.members(["terms hash", "data check rows (required)", "data check nulls"]);
    expect(out.checks.find((c: { name: string }) => c.name === "terms hash").passed).to.equal(false);
  });
});
