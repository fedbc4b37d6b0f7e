/**
 * The check stage's logic over an open engine: the seller's disclosure policy is applied to the
 * buyer's specification before any query runs (checks beyond `maxChecks`, or naming a column the
 * policy does not let be profiled, are refused with `policy.*`), the datasheet claims become
 * required checks named `datasheet.*`, every check is planned (compile.ts) and run, and each
 * result is rendered as the policy allows: no value under "passfail", values rounded to
 * `precision` significant digits otherwise, and no answer at all for an aggregate over fewer
 * than `minGroupSize` values (`policy.group_too_small`). Results are deterministic for a given
 * dataset and specification, so asking again teaches nothing new.
 * Engine timeouts and crashes propagate (EngineError): the caller ends the deal.
 */
import type { Check, CheckResult, CheckSpec, Datasheet, DisclosurePolicy } from "../../sdk/src/checks.ts";
import { columnsOf, planCheck, type DatasetSchema } from "./compile.ts";
import { EngineError, type Engine } from "./engine.ts";

/** The seller's claims as required checks, each named after the claim it tests. */
export function datasheetChecks(d: Datasheet): Check[] {
  const out: Check[] = [];
  if (d.rowCount !== undefined)
    out.push({ id: "datasheet.row_count", required: true, kind: "rowCount", ...d.rowCount });
  d.columns?.forEach((c, i) =>
    out.push({ id: `datasheet.columns.${i}`, required: true, kind: "column", column: c.name, type: c.type }),
  );
  if (d.uniqueKey !== undefined)
    out.push({ id: "datasheet.unique_key", required: true, kind: "unique", columns: d.uniqueKey });
  d.domains?.forEach((x, i) =>
    out.push({
      id: `datasheet.domains.${i}`,
      required: true,
      kind: "valuesIn",
      column: x.column,
      values: x.values,
    }),
  );
  if (d.freshness !== undefined)
    out.push({ id: "datasheet.freshness", required: true, kind: "freshness", ...d.freshness });
  return out;
}

/**
 * The policy's refusal of the check that would be the deal's `index`-th (from 0) against its
 * budget `maxChecks`, or undefined when the policy admits it.
 */
export function policyRefusal(c: Check, index: number, policy: DisclosurePolicy): string | undefined {
  if (index >= policy.maxChecks) return "policy.too_many_checks";
  if (policy.profileColumns !== null && columnsOf(c).some((n) => !policy.profileColumns!.includes(n)))
    return "policy.column_not_profiled";
  return undefined;
}

/** Refusals the policy decides before the engine runs anything: id → reason. */
export function policyRefusals(spec: CheckSpec, policy: DisclosurePolicy): Map<string, string> {
  const out = new Map<string, string>();
  spec.checks.forEach((c, i) => {
    const why = policyRefusal(c, i, policy);
    if (why !== undefined) out.set(c.id, why);
  });
  return out;
}

/** How much of the policy's check budget a sealed specification uses (checks past it are refused, not run). */
export const budgetUsedBy = (spec: CheckSpec | undefined, policy: DisclosurePolicy): number =>
  Math.min(spec?.checks.length ?? 0, policy.maxChecks);

/** `v` rounded to `digits` significant digits (0 stays 0). */
export function roundSignificant(v: number, digits: number): number {
  return v === 0 ? 0 : Number(v.toPrecision(digits));
}

function render(
  c: Check,
  status: CheckResult["status"],
  policy: DisclosurePolicy | null,
  value?: number,
  reason?: string,
): CheckResult {
  const r: CheckResult = { id: c.id, kind: c.kind, required: c.required, status };
  if (
    value !== undefined &&
    Number.isFinite(value) &&
    status !== "refused" &&
    policy !== null &&
    policy.results === "rounded"
  )
    r.value = roundSignificant(value, policy.precision);
  if (reason !== undefined) r.reason = reason;
  return r;
}

/**
 * Runs `checks` on the engine. `policy` null: the seller's own datasheet (no refusals, values
 * withheld — the datasheet's verdict is pass/fail). `refused`: policy refusals decided earlier.
 */
export async function runChecks(
  engine: Engine,
  checks: readonly Check[],
  policy: DisclosurePolicy | null,
  salt: string | null,
  refused: ReadonlyMap<string, string> = new Map(),
): Promise<CheckResult[]> {
  const schema: DatasetSchema = { rowCount: engine.rowCount, columns: engine.columns };
  const out: CheckResult[] = [];
  for (const c of checks) {
    const why = refused.get(c.id);
    if (why !== undefined) {
      out.push(render(c, "refused", policy, undefined, why));
      continue;
    }
    const plan = planCheck(c, schema, salt);
    if (plan.kind === "refused") {
      out.push(render(c, "refused", policy, undefined, plan.reason));
      continue;
    }
    if (plan.kind === "static") {
      out.push(render(c, plan.passed ? "pass" : "fail", policy, plan.value, plan.reason));
      continue;
    }
    let row;
    try {
      [row] = await engine.query(c.id, plan.sql, plan.params);
    } catch (e) {
      // a query the engine refuses (out of memory, conversion): that check is not answered
      if (e instanceof EngineError && (e.code === "engine.query_failed" || e.code === "engine.limit")) {
        out.push(render(c, "refused", policy, undefined, e.code));
        continue;
      }
      throw e;
    }
    const v = typeof row?.v === "number" ? row.v : null;
    const g = typeof row?.g === "number" ? row.g : 0;
    if (policy !== null && g < policy.minGroupSize) {
      out.push(render(c, "refused", policy, undefined, "policy.group_too_small"));
      continue;
    }
    if (v === null) {
      out.push(render(c, "fail", policy, undefined, "check.no_values"));
      continue;
    }
    out.push(render(c, plan.judge(v) ? "pass" : "fail", policy, v));
  }
  return out;
}
