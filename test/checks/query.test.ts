/**
 * The buyer's agent's further checks (oracle/checks/query.ts through runCheckStage's `keepOpen`):
 * ONE check in the SDK's format, run on the open engine by the same path as the sealed checks,
 * rendered by the seller's policy, against the SAME per-deal budget the sealed checks used; every
 * refusal (not a check, budget spent, outside the policy, unknown column, group too small) is an
 * answer, never an exception; a failing stage keeps nothing open.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checks, type DisclosurePolicyInput } from "../../sdk/src/checks.ts";
import { runCheckStage } from "../../oracle/checks/stage.ts";

const dir = mkdtempSync(join(tmpdir(), "dealproof-query-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** 100 rows: id 1..100, label cat (70) / dog (25) / emu (5), score id/100. */
function csv(): string {
  const lines = ["id,label,score"];
  for (let i = 1; i <= 100; i++) lines.push(`${i},${i <= 70 ? "cat" : i <= 95 ? "dog" : "emu"},${i / 100}`);
  return `${lines.join("\n")}\n`;
}

const data = join(dir, "data.csv");
const sealed = checks().rowCount({ min: 50 }).column("label", "string").build(); // 2 sealed checks

async function session(policy: DisclosurePolicyInput, spec = sealed) {
  const r = await runCheckStage({ dataPath: data, tmpDir: dir, format: "csv", spec, policy, keepOpen: true });
  expect(r.verdict).to.deep.equal({ ok: true });
  expect(r.queries, "a passing stage with keepOpen hands over the runner").to.not.equal(undefined);
  return r.queries!;
}

describe("query_data's runner: one check under the seller's policy and budget", function () {
  this.timeout(60_000);
  before(() => writeFileSync(data, csv()));

  it("runs one check in the SDK's format and renders its value as the policy allows", async () => {
    const q = await session({ precision: 2 });
    try {
      const mean = await q.run({ kind: "stat", column: "score", stat: "mean", min: 0.4 });
      expect(mean).to.deep.equal({
        result: { id: "query-1", kind: "stat", required: false, status: "pass", value: 0.51 },
      });
      const share = await q.run({ kind: "valuesIn", column: "label", values: ["cat"], minShare: 0.8 });
      expect(share).to.deep.equal({
        result: { id: "query-2", kind: "valuesIn", required: false, status: "fail", value: 0.7 },
      });
    } finally {
      q.close();
    }
    const pf = await session({ results: "passfail" });
    try {
      const r = await pf.run({ kind: "stat", column: "score", stat: "max", max: 2 });
      expect(r).to.deep.equal({ result: { id: "query-1", kind: "stat", required: false, status: "pass" } });
    } finally {
      pf.close();
    }
  });

  it("shares the deal's check budget with the sealed checks: N sealed + M queries > maxChecks is refused", async () => {
    const q = await session({ maxChecks: 4 }); // 2 sealed, so 2 queries are left
    try {
      const ask = () => q.run({ kind: "distinctCount", column: "label", min: 2 });
      const answers = [await ask(), await ask(), await ask()];
      expect(answers.map((a) => ("result" in a ? a.result.status : a.refused))).to.deep.equal([
        "pass",
        "pass",
        "policy.too_many_checks",
      ]);
    } finally {
      q.close();
    }
    // sealed checks past the budget are refused, not run, and leave nothing for queries
    const full = await session(
      { maxChecks: 1 },
      checks().rowCount({ min: 1 }).rowCount({ min: 2 }, { required: false }).build(),
    );
    try {
      expect(await full.run({ kind: "rowCount", min: 1 })).to.deep.equal({
        refused: "policy.too_many_checks",
      });
    } finally {
      full.close();
    }
  });

  it("refuses what the policy or the data do not allow, and what is not a check, as answers", async () => {
    const q = await session(
      { profileColumns: ["id", "score"], minGroupSize: 10 },
      checks().rowCount({ min: 50 }).build(),
    );
    try {
      expect(await q.run({ kind: "classBalance", column: "label", minShare: 0.1 })).to.deep.equal({
        refused: "policy.column_not_profiled",
      });
      expect(await q.run({ kind: "nullFraction", column: "no_such", max: 0 })).to.deep.equal({
        refused: "policy.column_not_profiled", // the policy decides first: the column is not listed
      });
      const sql = await q.run("SELECT * FROM data LIMIT 3");
      expect("refused" in sql && sql.refused).to.match(/^check\.invalid \(/);
      const extra = await q.run({ kind: "rowCount", min: 1, sql: "SELECT 1" });
      expect("refused" in extra && extra.refused).to.match(/^check\.invalid \(.*sql/i);
    } finally {
      q.close();
    }
    const open = await session({ minGroupSize: 10 });
    try {
      expect(await open.run({ kind: "nullFraction", column: "no_such", max: 0 })).to.deep.equal({
        refused: "check.unknown_column",
      });
      // the smallest class (emu: 5 rows) is below the minimum group size: no answer at all
      expect(await open.run({ kind: "classBalance", column: "label", minShare: 0.01 })).to.deep.equal({
        refused: "policy.group_too_small",
      });
    } finally {
      open.close();
    }
  });

  it("keeps nothing open when the stage fails or keepOpen is not asked", async () => {
    const failing = await runCheckStage({
      dataPath: data,
      tmpDir: dir,
      format: "csv",
      spec: checks().rowCount({ min: 1000 }).build(),
      keepOpen: true,
    });
    expect(failing.verdict).to.include({ ok: false, code: "check.failed:rowcount-1" });
    expect(failing.queries).to.equal(undefined);
    const plain = await runCheckStage({ dataPath: data, tmpDir: dir, format: "csv", spec: sealed });
    expect(plain.verdict).to.deep.equal({ ok: true });
    expect(plain.queries).to.equal(undefined);
  });
});
