/**
 * The quantile check's compiled SQL (oracle/checks/compile.ts) on integer and DOUBLE columns sorts
 * instead of calling quantile_cont (whose buffer DuckDB's memory limit does not count); these
 * tests hold it to quantile_cont's value bit for bit — empty, one row, all null, nulls, ties,
 * ±inf and NaN, HUGEINT, every q from 0 to 1 — and keep quantile_cont for FLOAT and DECIMAL.
 */
import { expect } from "chai";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { planCheck, type DatasetSchema } from "../../oracle/checks/compile.ts";
import type { Check } from "../../sdk/src/checks.ts";

const TABLES: Record<string, string> = {
  empty: "SELECT NULL::INTEGER AS x FROM range(0)",
  "one row": "SELECT 5 AS x",
  "all null": "SELECT NULL::DOUBLE AS x FROM range(3)",
  "ints with nulls":
    "SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE (i * 7919) % 1000 END::INTEGER AS x FROM range(1001) t(i)",
  "ties (bigint)": "SELECT ((i * 31) % 100)::BIGINT AS x FROM range(100) t(i)",
  doubles: "SELECT ((i * 7919) % 9973) / 7.0 - 500 AS x FROM range(9999) t(i)",
  "inf and nan":
    "SELECT x FROM (VALUES (1.5), ('inf'::DOUBLE), ('nan'::DOUBLE), (-2.25), ('-inf'::DOUBLE)) t(x)",
  hugeint: "SELECT (i * 1e15)::HUGEINT AS x FROM range(37) t(i)",
  "rounding-sensitive":
    "SELECT x FROM (VALUES (0.1::DOUBLE), (0.2::DOUBLE), (0.30000000000000004::DOUBLE)) t(x)",
};
const QS = [0, 0.1, 0.25, 0.333333, 0.5, 0.7, 0.9, 0.999, 1];

const quantile = (q: number): Check => ({
  kind: "stat",
  column: "x",
  stat: "quantile",
  q,
  id: "p",
  required: true,
});

async function schemaOf(c: DuckDBConnection): Promise<DatasetSchema> {
  const cols = (await c.runAndReadAll("DESCRIBE data")).getRowObjectsJS();
  return {
    rowCount: 0,
    columns: cols.map((r) => ({ name: String(r.column_name), type: String(r.column_type) })),
  };
}

describe("the quantile check", function () {
  this.timeout(60_000);
  let c: DuckDBConnection;
  before(async () => {
    c = await (await DuckDBInstance.create(":memory:")).connect();
  });
  after(() => c.closeSync());

  for (const [name, table] of Object.entries(TABLES))
    it(`equals quantile_cont on ${name}`, async () => {
      await c.run(`CREATE OR REPLACE TABLE data AS ${table}`);
      const schema = await schemaOf(c);
      for (const q of QS) {
        const plan = planCheck(quantile(q), schema, null);
        if (plan.kind !== "query") throw new Error(`no query for q=${q}`);
        expect(plan.sql).not.to.include("quantile_cont");
        const [mine] = (await c.runAndReadAll(plan.sql, plan.params as never)).getRowObjectsJS();
        const [theirs] = (
          await c.runAndReadAll("SELECT (quantile_cont(x, $1))::DOUBLE AS v, count(x) AS g FROM data", [q])
        ).getRowObjectsJS();
        expect(Object.is(mine!.v, theirs!.v), `q=${q}: ${mine!.v} vs ${theirs!.v}`).to.equal(true);
        expect(mine!.g).to.equal(theirs!.g);
      }
    });

  it("keeps quantile_cont for FLOAT and DECIMAL columns, which it interpolates in their own type", async () => {
    for (const type of ["FLOAT", "DECIMAL(9,2)"]) {
      await c.run(`CREATE OR REPLACE TABLE data AS SELECT (i / 7)::${type} AS x FROM range(50) t(i)`);
      const plan = planCheck(quantile(0.7), await schemaOf(c), null);
      expect(plan.kind === "query" && plan.sql.includes(`quantile_cont("x", $1)`), type).to.equal(true);
    }
  });
});
