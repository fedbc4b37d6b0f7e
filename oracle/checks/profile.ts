/**
 * A dataset's profile from the engine — what `dataset:profile` prints, what the terms bind and the
 * only source of what the agents learn about the data (DataFacts; DESIGN §8, §10): row count, each
 * column's type family and null fraction — only the columns the seller's policy lets be profiled,
 * fractions rounded per the policy and withheld below its minimum group size — and raw sample rows
 * only when the policy's `sampleRows` allows them (default none). Queries are built by sqlIdent only.
 */
import type { CheckReport, DatasetFormat, DisclosurePolicy } from "../../sdk/src/checks.ts";
import { typeFamily } from "./compile.ts";
import type { Cell, Engine } from "./engine.ts";
import { roundSignificant } from "./run.ts";
import { sqlIdent } from "./sql.ts";

export type DatasetProfile = NonNullable<CheckReport["profile"]>;

/** Longest sample value shown, in characters. */
const SAMPLE_CHARS = 160;

/**
 * What the agents learn about the dataset and the terms bind: its size and chunking, its format
 * ("binary" when the engine cannot read it) and, from the engine's profile, its record count, the
 * profiled columns and — only if the policy allows — sample rows.
 */
export type DataFacts = {
  sizeBytes: number;
  chunkCount: number;
  chunkSize: number;
  format: DatasetFormat | "binary";
  records?: number;
  columns?: DatasetProfile["columns"];
  samples?: NonNullable<DatasetProfile["samples"]>;
};

export function dataFacts(
  size: { size: number; chunkCount: number; chunkSize: number },
  profiled: { format: DatasetFormat; profile: DatasetProfile } | null,
): DataFacts {
  const base = { sizeBytes: size.size, chunkCount: size.chunkCount, chunkSize: size.chunkSize };
  if (profiled === null) return { ...base, format: "binary" };
  const { rowCount, columns, samples } = profiled.profile;
  return {
    ...base,
    format: profiled.format,
    records: rowCount,
    columns,
    ...(samples === undefined ? {} : { samples }),
  };
}

const cut = (v: Cell): Cell =>
  typeof v === "string" && v.length > SAMPLE_CHARS ? v.slice(0, SAMPLE_CHARS) : v;

export async function profileDataset(engine: Engine, policy: DisclosurePolicy): Promise<DatasetProfile> {
  const allowed = engine.columns.filter(
    (c) => policy.profileColumns === null || policy.profileColumns.includes(c.name),
  );
  const showFractions = engine.rowCount >= policy.minGroupSize && engine.rowCount > 0 && allowed.length > 0;
  let row: Record<string, unknown> = {};
  if (showFractions) {
    const parts = allowed.map(
      (c, i) => `(count(*) FILTER (WHERE ${sqlIdent(c.name)} IS NULL))::DOUBLE / count(*) AS c${i}`,
    );
    [row = {}] = await engine.query("profile", `SELECT ${parts.join(", ")} FROM data`, []);
  }
  let samples: DatasetProfile["samples"];
  if (policy.sampleRows > 0 && allowed.length > 0) {
    const rows = await engine.query(
      "samples",
      `SELECT ${allowed.map((c, i) => `${sqlIdent(c.name)}::VARCHAR AS c${i}`).join(", ")} FROM data LIMIT $1`,
      [policy.sampleRows],
    );
    samples = rows.map((r) => Object.fromEntries(allowed.map((c, i) => [c.name, cut(r[`c${i}`] ?? null)])));
  }
  return {
    rowCount: engine.rowCount,
    columns: allowed.map((c, i) => {
      const v = row[`c${i}`];
      return {
        name: c.name,
        type: typeFamily(c.type),
        ...(typeof v === "number" && policy.results === "rounded"
          ? { nullFraction: roundSignificant(v, policy.precision) }
          : {}),
      };
    }),
    ...(samples === undefined ? {} : { samples }),
  };
}
