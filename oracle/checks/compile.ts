/**
 * Compiles checks (sdk/src/checks.ts) to SQL over table `data` — the only source of query text the
 * engine ever runs. Identifiers go through sqlIdent, party values are bound parameters ($1…),
 * never text. A check naming a column the dataset lacks compiles to a refusal
 * (`check.unknown_column`), one whose column has the wrong type for it to `check.type_mismatch`.
 * Each compiled query yields `v` (the measured value) and `g` (the size of the group it
 * aggregates, for the policy's minimum group size).
 */
import type { Check, ColumnType } from "../../sdk/src/checks.ts";
import { sqlIdent } from "./sql.ts";
import type { Cell } from "./engine.ts";

export interface DatasetSchema {
  rowCount: number;
  columns: readonly { name: string; type: string }[];
}

/** A check the engine need not run (decided from the schema) or one query and how to judge it. */
export type Plan =
  | { kind: "static"; passed: boolean; value?: number; reason?: string }
  | { kind: "refused"; reason: string }
  | { kind: "query"; sql: string; params: Cell[]; judge: (v: number) => boolean; valueHidden?: boolean };

/** The family of a DuckDB type name. */
export function typeFamily(duckType: string): ColumnType {
  const t = duckType.toUpperCase();
  if (/^(U?TINYINT|U?SMALLINT|U?INTEGER|U?BIGINT|U?HUGEINT)$/.test(t)) return "integer";
  if (/^(FLOAT|DOUBLE|REAL|DECIMAL.*)$/.test(t)) return "number";
  if (t === "VARCHAR") return "string";
  if (t === "BOOLEAN") return "boolean";
  if (t === "DATE") return "date";
  if (t.startsWith("TIMESTAMP")) return "timestamp";
  return "other";
}

/** Whether a column of family `actual` satisfies a claimed or required `want` ("number" accepts integers). */
function typeMatches(want: ColumnType, actual: ColumnType): boolean {
  return want === actual || (want === "number" && actual === "integer");
}

const within = (v: number, min?: number, max?: number) =>
  (min === undefined || v >= min) && (max === undefined || v <= max);

/** The columns a check names. */
export function columnsOf(c: Check): string[] {
  if (c.kind === "rowCount") return [];
  if (c.kind === "unique") return c.columns;
  return [c.column];
}

/**
 * quantile_cont($1) of column `q` (an integer or DOUBLE column), the same value bit for bit, in
 * bounded memory: quantile_cont holds every value in memory DuckDB's memory_limit does not count
 * (+270 MB at 20 M rows), a sort spills to the temp directory. It takes the two values at rank
 * ⌊(n − 1)·q⌋ and interpolates as DuckDB does (lo·(1 − d) + hi·d, lo alone when d = 0).
 * FLOAT and DECIMAL columns keep quantile_cont, which interpolates in their own type.
 */
function sortedQuantileSql(q: string): string {
  const pos = `(count(${q}) - 1) * $1::DOUBLE`;
  const two = `SELECT ${q}::DOUBLE AS x FROM data WHERE ${q} IS NOT NULL ORDER BY ${q} LIMIT 2 OFFSET (SELECT greatest(floor(${pos}), 0)::BIGINT FROM data)`;
  return `SELECT (SELECT CASE WHEN d = 0 THEN lo ELSE lo * (1 - d) + hi * d END FROM (SELECT min(x) AS lo, max(x) AS hi FROM (${two})), (SELECT ${pos} AS pos, pos - floor(pos) AS d FROM data)) AS v, count(${q}) AS g FROM data`;
}

/** The plan for one check against the loaded dataset's schema. `salt`: the buyer's overlap salt, null without keys. */
export function planCheck(c: Check, schema: DatasetSchema, salt: string | null): Plan {
  const byName = new Map(schema.columns.map((col) => [col.name, typeFamily(col.type)]));
  const missing = columnsOf(c).find((n) => !byName.has(n));
  if (missing !== undefined) {
    if (c.kind === "column") return { kind: "static", passed: false, reason: "check.unknown_column" };
    return { kind: "refused", reason: "check.unknown_column" };
  }
  const col = columnsOf(c)[0];
  const q = col === undefined ? "" : sqlIdent(col);
  const fam = col === undefined ? "other" : byName.get(col)!;
  const numeric = fam === "integer" || fam === "number";
  switch (c.kind) {
    case "rowCount":
      return { kind: "static", passed: within(schema.rowCount, c.min, c.max), value: schema.rowCount };
    case "column":
      return c.type === undefined || typeMatches(c.type, fam)
        ? { kind: "static", passed: true }
        : { kind: "static", passed: false, reason: "check.type_mismatch" };
    case "nullFraction":
      return {
        kind: "query",
        sql: `SELECT (count(*) FILTER (WHERE ${q} IS NULL))::DOUBLE / count(*) AS v, count(*) AS g FROM data`,
        params: [],
        judge: (v) => v <= c.max,
      };
    case "unique": {
      const cols = c.columns.map(sqlIdent).join(", ");
      return {
        kind: "query",
        sql: `SELECT ((SELECT count(*) FROM data) - (SELECT count(*) FROM (SELECT DISTINCT ${cols} FROM data)))::DOUBLE AS v, (SELECT count(*) FROM data) AS g`,
        params: [],
        judge: (v) => v === 0,
      };
    }
    case "valuesIn": {
      const allNumbers = c.values.every((x) => typeof x === "number");
      if (numeric && !allNumbers) return { kind: "refused", reason: "check.type_mismatch" };
      const lhs = numeric ? `CAST(${q} AS DOUBLE)` : `CAST(${q} AS VARCHAR)`;
      const rhs = c.values.map((_, i) => (numeric ? `CAST($${i + 1} AS DOUBLE)` : `$${i + 1}`)).join(", ");
      return {
        kind: "query",
        sql: `SELECT (count(*) FILTER (WHERE ${lhs} IN (${rhs})))::DOUBLE / NULLIF(count(${q}), 0) AS v, count(${q}) AS g FROM data`,
        params: c.values.map((x) => (numeric ? Number(x) : String(x))),
        judge: (v) => v >= (c.minShare ?? 1),
      };
    }
    case "stat": {
      if (!numeric) return { kind: "refused", reason: "check.type_mismatch" };
      const type = schema.columns.find((x) => x.name === col)!.type;
      const sorted = c.stat === "quantile" && (fam === "integer" || type.toUpperCase() === "DOUBLE");
      const agg =
        c.stat === "quantile" ? `quantile_cont(${q}, $1)` : `${c.stat === "mean" ? "avg" : c.stat}(${q})`;
      return {
        kind: "query",
        sql: sorted ? sortedQuantileSql(q) : `SELECT (${agg})::DOUBLE AS v, count(${q}) AS g FROM data`,
        params: c.stat === "quantile" ? [c.q!] : [],
        judge: (v) => within(v, c.min, c.max),
      };
    }
    case "distinctCount":
      return {
        kind: "query",
        sql: `SELECT count(DISTINCT ${q})::DOUBLE AS v, count(${q}) AS g FROM data`,
        params: [],
        judge: (v) => v >= c.min,
      };
    case "pattern":
      // regexp_full_match is RE2 (linear time); the pattern is a bound parameter, never text
      return {
        kind: "query",
        sql: `SELECT (count(*) FILTER (WHERE regexp_full_match(CAST(${q} AS VARCHAR), $1)))::DOUBLE / NULLIF(count(${q}), 0) AS v, count(${q}) AS g FROM data`,
        params: [c.regex],
        judge: (v) => v >= c.minShare,
      };
    case "freshness": {
      if (fam !== "date" && fam !== "timestamp" && fam !== "string")
        return { kind: "refused", reason: "check.type_mismatch" };
      // days from notBefore to the newest value (negative: older than required)
      return {
        kind: "query",
        sql: `SELECT (epoch(max(TRY_CAST(${q} AS TIMESTAMP))) - $1) / 86400.0 AS v, count(TRY_CAST(${q} AS TIMESTAMP)) AS g FROM data`,
        params: [
          Date.parse(
            c.notBefore.includes("T") || c.notBefore.includes(" ") ? c.notBefore : `${c.notBefore}T00:00:00Z`,
          ) / 1000,
        ],
        judge: (v) => v >= 0,
      };
    }
    case "classBalance":
      // the smallest category's share; its size is the group the policy bounds
      return {
        kind: "query",
        sql: `SELECT min(n)::DOUBLE / sum(n) AS v, min(n) AS g FROM (SELECT count(*) AS n FROM data GROUP BY ${q})`,
        params: [],
        judge: (v) => v >= c.minShare,
      };
    case "overlap":
      if (salt === null) return { kind: "refused", reason: "check.no_overlap_keys" };
      return {
        kind: "query",
        sql: `SELECT count(*)::DOUBLE AS v, (SELECT count(*) FROM data) AS g FROM (SELECT DISTINCT sha256($1 || CAST(${q} AS VARCHAR)) AS h FROM data WHERE ${q} IS NOT NULL) WHERE h IN (SELECT k FROM buyer_keys)`,
        params: [salt],
        judge: (v) => within(v, c.min, c.max),
      };
  }
}
