/**
 * A dataset's profile from the engine (what `dataset:profile` prints and the agents see beside the
 * check results): row count, each column's type family and null fraction — only the columns the
 * seller's policy lets be profiled, fractions rounded per the policy and withheld below its
 * minimum group size. One query over all columns, built by sqlIdent only.
 */
import type { ColumnType, DisclosurePolicy } from "../../sdk/src/checks.ts";
import { typeFamily } from "./compile.ts";
import type { Engine } from "./engine.ts";
import { roundSignificant } from "./run.ts";
import { sqlIdent } from "./sql.ts";

export interface DatasetProfile {
  rowCount: number;
  columns: { name: string; type: ColumnType; nullFraction?: number }[];
}

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
  };
}
