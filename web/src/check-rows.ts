/**
 * The checks editor's rows as data: one row per check, each field kept as the text the buyer
 * typed, turned into the SDK's check specification and validated with the SDK's own zod schema
 * (`checkSpecSchema`), with every problem placed on the row and field it belongs to. Also the
 * reverse (a checks.json, the format of `deal:create --checks`, into rows) and the title and
 * fields of each kind of check. It imports the SDK's checks module by path, not through the
 * `dealproof` alias, so that it is unit-tested under Node too (test/web/check-rows.test.ts).
 */
import {
  COLUMN_TYPES,
  checkSpecSchema,
  parseCheckSpec,
  type Check,
  type CheckKind,
  type CheckSpec,
} from "../../sdk/src/checks.ts";

type FieldName =
  | "min"
  | "max"
  | "column"
  | "columns"
  | "type"
  | "values"
  | "minShare"
  | "stat"
  | "q"
  | "regex"
  | "notBefore";

interface FieldDef {
  name: FieldName;
  label: string;
  /** "number": parsed as a number; "list": comma-separated; "select": one of `options`. */
  as: "text" | "number" | "list" | "select";
  options?: readonly string[];
  placeholder?: string;
}

const num = (name: FieldName, label: string, placeholder?: string): FieldDef => ({
  name,
  label,
  as: "number",
  ...(placeholder === undefined ? {} : { placeholder }),
});
const column: FieldDef = { name: "column", label: "Column", as: "text" };

/** Each kind of check the SDK supports: its title and fields, in the editor's order. */
export const KINDS: readonly { kind: CheckKind; title: string; fields: readonly FieldDef[] }[] = [
  { kind: "rowCount", title: "Row count between", fields: [num("min", "At least"), num("max", "At most")] },
  {
    kind: "column",
    title: "Column exists (with type)",
    fields: [column, { name: "type", label: "Type", as: "select", options: ["", ...COLUMN_TYPES] }],
  },
  {
    kind: "nullFraction",
    title: "Null fraction at most",
    fields: [column, num("max", "Share at most (0–1)")],
  },
  {
    kind: "unique",
    title: "Unique over columns",
    fields: [{ name: "columns", label: "Columns (comma-separated)", as: "list" }],
  },
  {
    kind: "valuesIn",
    title: "Values in set",
    fields: [
      column,
      { name: "values", label: "Values (comma-separated)", as: "list" },
      num("minShare", "Share in the set at least (0–1)", "1"),
    ],
  },
  {
    kind: "stat",
    title: "Min / max / mean / quantile between",
    fields: [
      column,
      { name: "stat", label: "Statistic", as: "select", options: ["min", "max", "mean", "quantile"] },
      num("q", "Quantile q (0–1, quantile only)"),
      num("min", "At least"),
      num("max", "At most"),
    ],
  },
  { kind: "distinctCount", title: "Distinct count at least", fields: [column, num("min", "At least")] },
  {
    kind: "pattern",
    title: "Share matching a pattern",
    fields: [
      column,
      { name: "regex", label: "Pattern (RE2 regex)", as: "text" },
      num("minShare", "Share at least (0–1)"),
    ],
  },
  {
    kind: "freshness",
    title: "Newest at least",
    fields: [
      column,
      { name: "notBefore", label: "Newest not before (ISO date)", as: "text", placeholder: "2026-01-31" },
    ],
  },
  {
    kind: "classBalance",
    title: "Class balance (each class's share at least)",
    fields: [column, num("minShare", "Share at least (0–1)")],
  },
  {
    kind: "overlap",
    title: "Overlap with my keys",
    fields: [column, num("min", "Matches at least"), num("max", "Matches at most")],
  },
];

const kindDef = (k: CheckKind) => KINDS.find((d) => d.kind === k)!;

export interface CheckRow {
  /** The row's identity in the editor (not part of the check). */
  uid: number;
  kind: CheckKind;
  id: string;
  required: boolean;
  fields: Partial<Record<FieldName, string>>;
  /**
   * The check as a checks.json gave it, sent exactly so until the row is edited (list fields as
   * text cannot hold a value with a comma, nor tell the string "7" from the number 7).
   */
  imported?: Check;
}

/** The row after an edit: its fields, not the imported check, say what it is from now on. */
export function edited(r: CheckRow): CheckRow {
  const copy = { ...r };
  delete copy.imported;
  return copy;
}

let nextUid = 1;

/** A new row of `kind` with an id not yet used in `rows`. */
export function newRow(kind: CheckKind, rows: readonly CheckRow[]): CheckRow {
  const used = new Set(rows.map((r) => r.id));
  let n = rows.length + 1;
  while (used.has(`${kind.toLowerCase()}-${n}`)) n++;
  return {
    uid: nextUid++,
    kind,
    id: `${kind.toLowerCase()}-${n}`,
    required: true,
    fields: kind === "stat" ? { stat: "mean" } : {},
  };
}

/** Problems by row uid and field ("id" for the check's id, "row" for the row as a whole). */
export type RowErrors = Record<number, Partial<Record<FieldName | "id" | "row", string>>>;

export type ChecksResult =
  { ok: true; spec: CheckSpec | undefined } | { ok: false; errors: RowErrors; general: string[] };

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** A list entry as the JSON value the check carries: a canonical number stays a number. */
function listValue(s: string): string | number | boolean {
  if (s === "true") return true;
  if (s === "false") return false;
  return NUMBER.test(s) && String(Number(s)) === s ? Number(s) : s;
}

function toCheck(row: CheckRow, errors: RowErrors): Record<string, unknown> {
  const c: Record<string, unknown> = { id: row.id.trim(), kind: row.kind, required: row.required };
  for (const f of kindDef(row.kind).fields) {
    const text = (row.fields[f.name] ?? "").trim();
    if (text === "") continue;
    if (f.as === "number") {
      if (!NUMBER.test(text)) (errors[row.uid] ??= {})[f.name] = "must be a number";
      else c[f.name] = Number(text);
    } else if (f.as === "list")
      c[f.name] = text
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "")
        .map(f.name === "columns" ? (s) => s : listValue);
    else c[f.name] = text;
  }
  return c;
}

/**
 * The rows as a validated specification (undefined when there are none), or every problem found,
 * each placed on its row and field. Nothing here is sent anywhere.
 */
export function checksFromRows(rows: readonly CheckRow[]): ChecksResult {
  if (rows.length === 0) return { ok: true, spec: undefined };
  const errors: RowErrors = {};
  const candidate = { v: 1, checks: rows.map((r) => r.imported ?? toCheck(r, errors)) };
  const parsed = checkSpecSchema.safeParse(candidate);
  const general: string[] = [];
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const [top, index, field] = issue.path;
      const row = top === "checks" && typeof index === "number" ? rows[index] : undefined;
      if (row === undefined) {
        general.push(`${issue.path.join(".") || "checks"}: ${issue.message}`);
        continue;
      }
      const at = (errors[row.uid] ??= {});
      const key = typeof field === "string" ? (field === "id" ? "id" : (field as FieldName)) : "row";
      // a field already refused as not a number keeps that, clearer, message
      at[key] ??= issue.message;
    }
  if (Object.keys(errors).length > 0 || general.length > 0) return { ok: false, errors, general };
  return { ok: true, spec: parsed.data! };
}

/** A checks.json (the `deal:create --checks` format) as rows; throws the SDK's CheckSpecError if invalid. */
export function rowsFromJson(text: string): CheckRow[] {
  const spec = parseCheckSpec(text);
  return spec.checks.map((c: Check) => {
    const fields: Partial<Record<FieldName, string>> = {};
    for (const f of kindDef(c.kind).fields) {
      const v = (c as Record<string, unknown>)[f.name];
      if (v === undefined) continue;
      fields[f.name] = Array.isArray(v) ? v.map(String).join(", ") : String(v);
    }
    return { uid: nextUid++, kind: c.kind, id: c.id, required: c.required, fields, imported: c };
  });
}
