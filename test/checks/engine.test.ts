/**
 * The check engine (oracle/checks/engine*.ts, compile.ts, run.ts): the compiled checks measure the
 * right values on a known dataset, the policy refuses before results exist and renders results as
 * it says, the locked engine refuses file access, exports, attaches, extensions and settings, and
 * hostile datasets and queries end in a clear EngineError while the engine's own process — never
 * the test's — crashes, stalls or is killed.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { checks, effectivePolicy, overlapKey, type CheckResult } from "../../sdk/src/checks.ts";
import { EngineError, openEngine, type Engine } from "../../oracle/checks/engine.ts";
import { datasheetChecks, policyRefusals, runChecks } from "../../oracle/checks/run.ts";
import { sqlIdent, sqlString } from "../../oracle/checks/sql.ts";

const dir = mkdtempSync(join(tmpdir(), "dealproof-engine-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const SALT = "buyer-salt-0123456789";
/** 200 rows: id 1..200, label cat/dog/bird (100/60/40), score id/200, ts in 2026-01, note null every 10th. */
function sampleCsv(): string {
  const lines = ["id,label,score,ts,note"];
  for (let i = 1; i <= 200; i++) {
    const label = i <= 100 ? "cat" : i <= 160 ? "dog" : "bird";
    const day = String(1 + (i % 28)).padStart(2, "0");
    lines.push(`${i},${label},${i / 200},2026-01-${day} 10:00:00,${i % 10 === 0 ? "" : `n${i}`}`);
  }
  return `${lines.join("\n")}\n`;
}

async function engineFailure(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error("expected an EngineError");
}

const byId = (rs: CheckResult[]) => Object.fromEntries(rs.map((r) => [r.id, r]));

describe("check engine", function () {
  this.timeout(60_000);
  let engine: Engine;
  const data = join(dir, "data.csv");
  const keys = join(dir, "keys.csv");
  before(async () => {
    writeFileSync(data, sampleCsv());
    // the buyer already has ids 1..30 (and 5 it made up)
    const mine = [...Array.from({ length: 30 }, (_, i) => String(i + 1)), "x1", "x2", "x3", "x4", "x5"];
    writeFileSync(
      keys,
      mine.map((id) => Buffer.from(overlapKey(SALT, id)).toString("hex")).join("\n") + "\n",
    );
    engine = await openEngine({ dataPath: data, format: "csv", keysPath: keys, tmpDir: dir });
  });
  after(() => engine.close());

  it("loads the table and reports its schema", () => {
    expect(engine.rowCount).to.equal(200);
    expect(engine.columns.map((c) => c.name)).to.deep.equal(["id", "label", "score", "ts", "note"]);
  });

  it("every kind measures the right value", async () => {
    const spec = checks()
      .rowCount({ min: 100 }, { id: "rows" })
      .column("label", "string", { id: "label-str" })
      .column("score", "integer", { id: "score-int" })
      .nullFraction("note", 0.05, { id: "nulls" })
      .unique(["id"], { id: "uniq-id" })
      .unique(["label"], { id: "uniq-label" })
      .valuesIn("label", ["cat", "dog"], { id: "in-set", minShare: 0.75 })
      .stat("score", "mean", { min: 0.5, max: 0.51 }, { id: "mean" })
      .quantile("id", 0.5, { min: 100, max: 101 }, { id: "median" })
      .stat("id", "max", { max: 199 }, { id: "max" })
      .distinctCount("label", 3, { id: "distinct" })
      .pattern("note", "^n[0-9]+$", 1, { id: "pattern" })
      .freshness("ts", "2026-01-20", { id: "fresh" })
      .classBalance("label", 0.25, { id: "balance" })
      .overlap("id", { max: 30 }, { id: "overlap" })
      .build();
    const policy = { ...effectivePolicy({ maxChecks: 64, precision: 3 }) };
    const r = byId(await runChecks(engine, spec.checks, policy, SALT));
    expect(r.rows).to.include({ status: "pass", value: 200 });
    expect(r["label-str"]!.status).to.equal("pass");
    expect(r["score-int"]).to.include({ status: "fail", reason: "check.type_mismatch" });
    expect(r.nulls).to.include({ status: "fail", value: 0.1 });
    expect(r["uniq-id"]).to.include({ status: "pass", value: 0 });
    expect(r["uniq-label"]).to.include({ status: "fail", value: 197 });
    expect(r["in-set"]).to.include({ status: "pass", value: 0.8 });
    expect(r.mean!.status).to.equal("pass");
    // plain arithmetic: Hardhat's chai matchers take closeTo for bigints
    expect(Math.abs(r.mean!.value! - 0.5025) <= 0.001, `mean ${r.mean!.value}`).to.equal(true);
    expect(r.median).to.include({ status: "pass", value: 101 });
    expect(r.max).to.include({ status: "fail", value: 200 });
    expect(r.distinct).to.include({ status: "pass", value: 3 });
    expect(r.pattern).to.include({ status: "pass", value: 1 });
    expect(r.fresh!.status).to.equal("pass");
    expect(r.balance).to.include({ status: "fail", value: 0.2 });
    // 30 of the buyer's 35 keys are the seller's; the 5 made-up ids are not
    expect(r.overlap).to.include({ status: "pass", value: 30 });
  });

  it("the policy refuses before any result exists and renders results as it says", async () => {
    const spec = checks()
      .rowCount({ min: 1 }, { id: "a" })
      .nullFraction("note", 0.5, { id: "b" })
      .nullFraction("id", 0.5, { id: "c" })
      .build();
    const policy = effectivePolicy({ maxChecks: 2, results: "passfail", profileColumns: ["note"] });
    const refused = policyRefusals(spec, policy);
    expect([...refused]).to.deep.equal([["c", "policy.too_many_checks"]]);
    const narrow = policyRefusals(checks().nullFraction("id", 0.5, { id: "c" }).build(), policy);
    expect([...narrow]).to.deep.equal([["c", "policy.column_not_profiled"]]);
    const r = await runChecks(engine, spec.checks, policy, null, refused);
    expect(r).to.deep.equal([
      { id: "a", kind: "rowCount", required: true, status: "pass" },
      { id: "b", kind: "nullFraction", required: true, status: "pass" },
      { id: "c", kind: "nullFraction", required: true, status: "refused", reason: "policy.too_many_checks" },
    ]);
    // no aggregate over fewer values than the minimum group size
    const small = await runChecks(
      engine,
      checks().stat("id", "mean", { min: 0 }, { id: "m" }).build().checks,
      effectivePolicy({ minGroupSize: 500 }),
      null,
    );
    expect(small[0]).to.include({ status: "refused", reason: "policy.group_too_small" });
    expect(small[0]).to.not.have.property("value");
  });

  it("unknown columns and missing keys are refusals with codes, not engine errors", async () => {
    const spec = checks()
      .nullFraction("nope", 0.1, { id: "a" })
      .column("nope", undefined, { id: "b" })
      .overlap("id", { max: 1 }, { id: "c" })
      .build();
    const r = byId(await runChecks(engine, spec.checks, effectivePolicy({}), null));
    expect(r.a).to.include({ status: "refused", reason: "check.unknown_column" });
    expect(r.b).to.include({ status: "fail", reason: "check.unknown_column" });
    expect(r.c).to.include({ status: "refused", reason: "check.no_overlap_keys" });
  });

  it("datasheet claims become required checks named after the claim", async () => {
    const claims = datasheetChecks({
      v: 1,
      rowCount: { min: 1000 },
      columns: [{ name: "id", type: "integer" }],
      uniqueKey: ["id"],
      domains: [{ column: "label", values: ["cat", "dog", "bird"] }],
      freshness: { column: "ts", notBefore: "2027-01-01" },
    });
    const r = byId(await runChecks(engine, claims, null, null));
    expect(r["datasheet.row_count"]!.status).to.equal("fail");
    expect(r["datasheet.columns.0"]!.status).to.equal("pass");
    expect(r["datasheet.unique_key"]!.status).to.equal("pass");
    expect(r["datasheet.domains.0"]!.status).to.equal("pass");
    expect(r["datasheet.freshness"]!.status).to.equal("fail");
    for (const x of Object.values(r)) expect(x).to.not.have.property("value");
  });

  it("a column name with quotes and a value with quotes cannot break out of the query", async () => {
    expect(sqlIdent('a"b')).to.equal('"a""b"');
    expect(sqlString("a'b")).to.equal("'a''b'");
    const spec = checks()
      .nullFraction('id" IS NULL) OR 1=1 --', 0.1, { id: "a" })
      .valuesIn("label", ["cat') OR 1=1 --"], { id: "b", minShare: 0 })
      .build();
    const r = byId(await runChecks(engine, spec.checks, effectivePolicy({}), null));
    expect(r.a).to.include({ status: "refused", reason: "check.unknown_column" });
    expect(r.b).to.include({ status: "pass", value: 0 });
  });

  it("the locked engine refuses exports, other files, attaches, extensions and settings", async () => {
    writeFileSync(join(dir, "other.csv"), "a\n1\n");
    for (const sql of [
      `COPY data TO ${sqlString(join(dir, "out.csv"))}`,
      `SELECT * FROM read_csv(${sqlString(join(dir, "other.csv"))})`,
      `SELECT * FROM read_csv(${sqlString(data)})`,
      `SELECT * FROM read_text('/etc/hostname')`,
      `ATTACH ${sqlString(join(dir, "x.db"))}`,
      "INSTALL httpfs",
      "LOAD httpfs",
      "SET memory_limit = '64GB'",
      "SET enable_external_access = true",
      "SET lock_configuration = false",
      "PRAGMA threads = 64",
    ]) {
      const e = await engineFailure(engine.query("x", sql, []));
      expect(e.code, sql).to.equal("engine.query_failed");
    }
    // the engine still answers afterwards
    expect(await engine.query("y", "SELECT count(*) AS n FROM data", [])).to.deep.equal([{ n: 200 }]);
  });

  it("a query past the time limit is interrupted; a stalled engine is killed", async () => {
    const e = await openEngine({
      dataPath: data,
      format: "csv",
      keysPath: null,
      tmpDir: dir,
      // long enough for the load on a loaded machine; the cross join never ends, so it is interrupted
      limits: { queryTimeoutMs: 4000 },
    });
    try {
      const slow = "SELECT count(*) FROM range(1000000000) a, range(1000000000) b";
      expect((await engineFailure(e.query("slow", slow, []))).code).to.equal("engine.timeout");
      process.kill(e.pid!, "SIGSTOP"); // a child that answers nothing at all
      expect((await engineFailure(e.query("stalled", "SELECT 1", []))).code).to.equal("engine.timeout");
    } finally {
      e.close();
    }
  });

  it("an engine killed mid-query fails that request with engine.crashed", async () => {
    const e = await openEngine({ dataPath: data, format: "csv", keysPath: null, tmpDir: dir });
    try {
      const p = e.query("slow", "SELECT count(*) FROM range(1000000000) a, range(1000000000) b", []);
      setTimeout(() => process.kill(e.pid!, "SIGKILL"), 100);
      expect((await engineFailure(p)).code).to.equal("engine.crashed");
      expect((await engineFailure(e.query("after", "SELECT 1", []))).code).to.equal("engine.crashed");
    } finally {
      e.close();
    }
  });

  describe("hostile datasets", () => {
    const open = (
      name: string,
      body: string | Buffer,
      format: "csv" | "jsonl" | "parquet" = "csv",
      limits = {},
    ) => {
      const p = join(dir, name);
      writeFileSync(p, body);
      return openEngine({
        dataPath: p,
        format,
        keysPath: null,
        tmpDir: dir,
        limits: { maxLineBytes: 64 * 1024, ...limits },
      });
    };

    it("a line over the length limit", async () => {
      const e = await engineFailure(open("long.csv", `a,b\n1,${"x".repeat(256 * 1024)}\n2,y\n`));
      expect(e.code).to.equal("engine.load_failed");
    });
    it("100,000 columns", async () => {
      const header = Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(",");
      const e = await engineFailure(
        open("wide.csv", `${header}\n${header.replace(/c/g, "")}\n`, "csv", { maxLineBytes: 4 << 20 }),
      );
      expect(["engine.limit", "engine.load_failed"]).to.include(e.code);
    });
    it("invalid UTF-8", async () => {
      const body = Buffer.concat([
        Buffer.from("a,b\n1,"),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from("\n2,y\n"),
      ]);
      expect((await engineFailure(open("bad-utf8.csv", body))).code).to.equal("engine.load_failed");
    });
    it("a quote never closed", async () => {
      expect((await engineFailure(open("quote.csv", 'a,b\n1,"never closed\n2,y\n3,z\n'))).code).to.equal(
        "engine.load_failed",
      );
    });
    it("bytes that are no format at all", async () => {
      const noise = Buffer.alloc(64 * 1024);
      for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) % 251;
      expect((await engineFailure(open("noise.csv", noise))).code).to.equal("engine.load_failed");
    });
    it("deeply nested JSONL loads as bounded JSON values or is refused", async () => {
      const deep = `${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`;
      try {
        const e = await open("deep.jsonl", `${deep}\n${deep}\n`, "jsonl", { maxLineBytes: 1 << 20 });
        expect(e.rowCount).to.equal(2);
        e.close();
      } catch (err) {
        expect(err).to.be.instanceOf(EngineError);
      }
    });
    it("a Parquet file with a corrupt footer", async () => {
      const p = join(dir, "good.parquet");
      const inst = await DuckDBInstance.create(":memory:", { temp_directory: join(dir, "duckdb-tmp") });
      const c = await inst.connect();
      await c.run(`COPY (SELECT range AS id FROM range(1000)) TO ${sqlString(p)} (FORMAT parquet)`);
      c.closeSync();
      const bytes = readFileSync(p);
      const ok = await openEngine({ dataPath: p, format: "parquet", keysPath: null, tmpDir: dir });
      expect(ok.rowCount).to.equal(1000);
      ok.close();
      const bad = Buffer.from(bytes);
      for (let i = bad.length - 40; i < bad.length - 4; i++) bad[i] = 0xaa;
      expect((await engineFailure(open("bad.parquet", bad, "parquet"))).code).to.equal("engine.load_failed");
    });
    it("many distinct values stay under the memory limit", async () => {
      const rows = ["k"];
      for (let i = 0; i < 300_000; i++)
        rows.push(`key-${i}-${(i * 2654435761) % 4294967296}-padding-padding`);
      const e = await open("distinct.csv", `${rows.join("\n")}\n`, "csv", { memoryLimitMB: 64, threads: 1 });
      try {
        const r = await runChecks(
          e,
          checks().distinctCount("k", 1, { id: "d" }).build().checks,
          effectivePolicy({}),
          null,
        );
        expect(["pass", "refused"]).to.include(r[0]!.status);
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${e.pid}/status`, "utf8"));
        // 64 MB for DuckDB plus Node's own footprint in the child
        if (hwm !== null) expect(Number(hwm[1]) / 1024).to.be.below(400);
      } finally {
        e.close();
      }
    });
  });
});
