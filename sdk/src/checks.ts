/**
 * The buyer's checks on the seller's data (DESIGN §10), as data: a versioned JSON specification
 * (`v: 1`) validated with zod, a typed builder, the result types, and the seller's datasheet
 * claims and disclosure policy (with their documented defaults). The oracle compiles a
 * specification to SQL with its own code (oracle/checks/compile.ts); no query text from a party is
 * ever accepted, so every field here is a name, a number, a short string or a bounded regex.
 * Invariants: a specification that parses is one the compiler understands; its hash is keccak256
 * of its RFC 8785 canonical JSON (checkSpecHash), so the buyer can compute the hash the terms bind.
 */
import { z } from "zod";
import { getBytes, keccak256, sha256, toUtf8Bytes } from "ethers";
import { describeIssues } from "./zod-issues.ts";
import { DealProofError, type DealProofErrorOptions } from "./errors.ts";
import { MAX_CHECKS } from "./input-rules.ts";

/** Most raw sample rows a seller's policy may let the agents see. */
const MAX_SAMPLE_ROWS = 3;
export { MAX_CHECKS };
/** Longest regex a pattern check may carry (DuckDB matches with RE2: linear time, no backtracking). */
export const MAX_PATTERN_LENGTH = 256;
/** Most values a valuesIn check or a datasheet domain may list. */
export const MAX_SET_VALUES = 256;
/** Most overlap keys a buyer's key file may hold (each a 32-byte sha256 digest). */
export const MAX_OVERLAP_KEYS = 1_000_000;

/** Column types a check or a claim may name: families of DuckDB's types. */
export const COLUMN_TYPES = ["integer", "number", "string", "boolean", "date", "timestamp", "other"] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

const checkId = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.-]{0,63}$/,
    "must be 1-64 characters of a-z, 0-9, _ . - (starting with a letter or digit)",
  );
const columnName = z
  .string()
  .min(1, "must not be empty")
  .max(128, "must be at most 128 characters")
  .refine((s) => !s.includes("\u0000"), "must not contain a NUL character");
const share = z.number().min(0, "must be from 0 to 1").max(1, "must be from 0 to 1");
const count = z
  .number()
  .int("must be a whole number")
  .min(0, "must not be negative")
  .max(Number.MAX_SAFE_INTEGER);
const finite = z.number().refine(Number.isFinite, "must be a finite number");
const scalar = z.union([z.string().max(256, "must be at most 256 characters"), finite, z.boolean()]);
/** An ISO 8601 date or date-time (UTC unless an offset is given). */
const isoDate = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$/,
    "must be an ISO 8601 date such as 2026-01-31 or 2026-01-31T12:00:00Z",
  )
  .refine((s) => !Number.isNaN(Date.parse(s)), "must be a real calendar date");
const pattern = z
  .string()
  .min(1, "must not be empty")
  .max(MAX_PATTERN_LENGTH, `must be at most ${MAX_PATTERN_LENGTH} characters`)
  .refine((s) => {
    try {
      new RegExp(s, "u");
      return true;
    } catch {
      return false;
    }
  }, "must be a valid regular expression (RE2 syntax: no back-references or look-around)")
  .refine(
    (s) => !/\\[1-9]|\(\?[=!<]/.test(s),
    "must not use back-references or look-around (RE2 has neither)",
  );

const base = { id: checkId, required: z.boolean() };
const between = <T extends z.ZodType>(t: T) => ({ min: t.optional(), max: t.optional() });
const boundRefine = (c: { min?: number | undefined; max?: number | undefined }) =>
  c.min === undefined || c.max === undefined || c.min <= c.max;
const boundMessage = { message: "min must not exceed max", path: ["min"] };
const needsBound = (c: { min?: unknown; max?: unknown }) => c.min !== undefined || c.max !== undefined;
const needsBoundMessage = { message: "give min, max or both", path: ["min"] };

/** One check. `required`: failing it ends the deal as no-deal naming the check. */
export const checkSchema = z.discriminatedUnion("kind", [
  z
    .strictObject({ ...base, kind: z.literal("rowCount"), ...between(count) })
    .refine(needsBound, needsBoundMessage)
    .refine(boundRefine, boundMessage),
  z.strictObject({
    ...base,
    kind: z.literal("column"),
    column: columnName,
    type: z.enum(COLUMN_TYPES).optional(),
  }),
  z.strictObject({ ...base, kind: z.literal("nullFraction"), column: columnName, max: share }),
  z.strictObject({
    ...base,
    kind: z.literal("unique"),
    columns: z.array(columnName).min(1, "name at least one column").max(8, "at most 8 columns"),
  }),
  z.strictObject({
    ...base,
    kind: z.literal("valuesIn"),
    column: columnName,
    values: z
      .array(scalar)
      .min(1, "list at least one value")
      .max(MAX_SET_VALUES, `at most ${MAX_SET_VALUES} values`),
    /** Share of non-null values that must be in the set (default 1: all of them). */
    minShare: share.optional(),
  }),
  z
    .strictObject({
      ...base,
      kind: z.literal("stat"),
      column: columnName,
      stat: z.enum(["min", "max", "mean", "quantile"]),
      /** The quantile for stat "quantile" (0..1). */
      q: share.optional(),
      ...between(finite),
    })
    .refine(needsBound, needsBoundMessage)
    .refine(boundRefine, boundMessage)
    .refine((c) => (c.stat === "quantile") === (c.q !== undefined), {
      message: 'q is required for stat "quantile" and only for it',
      path: ["q"],
    }),
  z.strictObject({ ...base, kind: z.literal("distinctCount"), column: columnName, min: count }),
  z.strictObject({
    ...base,
    kind: z.literal("pattern"),
    column: columnName,
    regex: pattern,
    minShare: share,
  }),
  z.strictObject({ ...base, kind: z.literal("freshness"), column: columnName, notBefore: isoDate }),
  z.strictObject({ ...base, kind: z.literal("classBalance"), column: columnName, minShare: share }),
  z
    .strictObject({ ...base, kind: z.literal("overlap"), column: columnName, ...between(count) })
    .refine(needsBound, needsBoundMessage)
    .refine(boundRefine, boundMessage),
]);
export type Check = z.infer<typeof checkSchema>;
export type CheckKind = Check["kind"];

export const checkSpecSchema = z
  .strictObject({
    v: z.literal(1),
    checks: z
      .array(checkSchema)
      .min(1, "give at least one check")
      .max(MAX_CHECKS, `at most ${MAX_CHECKS} checks`),
  })
  .refine((s) => new Set(s.checks.map((c) => c.id)).size === s.checks.length, {
    message: "check ids must be unique",
    path: ["checks"],
  });
export type CheckSpec = z.infer<typeof checkSpecSchema>;

/**
 * The buyer's own records for overlap checks: a key file (32-byte sha256 digests, concatenated)
 * encrypted and committed like a dataset (dataset:encrypt), fetched by the oracle and verified
 * against `root`. A key is sha256(utf8(salt + id)) (overlapKey); the sealed input is capped at
 * 64 KiB, so the keys travel by location and only their locator is sealed.
 */
export const overlapKeysSchema = z.strictObject({
  salt: z.string().min(16, "must be at least 16 characters").max(128, "must be at most 128 characters"),
  location: z
    .string()
    .max(2048)
    .regex(/^(file|https?):\/\//, "must be a file://, http:// or https:// URL"),
  key: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 32 bytes of 0x-prefixed hex"),
  chunkSize: z
    .number()
    .int()
    .min(4096)
    .max(16 << 20),
  root: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 32 bytes of 0x-prefixed hex"),
});
export type OverlapKeys = z.infer<typeof overlapKeysSchema>;

/** The seller's machine-checkable claims about its data; each false claim ends the deal. */
export const datasheetSchema = z
  .strictObject({
    v: z.literal(1),
    rowCount: z
      .strictObject(between(count))
      .refine(needsBound, needsBoundMessage)
      .refine(boundRefine, boundMessage)
      .optional(),
    columns: z
      .array(z.strictObject({ name: columnName, type: z.enum(COLUMN_TYPES) }))
      .min(1)
      .max(512)
      .optional(),
    uniqueKey: z.array(columnName).min(1).max(8).optional(),
    domains: z
      .array(z.strictObject({ column: columnName, values: z.array(scalar).min(1).max(MAX_SET_VALUES) }))
      .max(32)
      .optional(),
    freshness: z.strictObject({ column: columnName, notBefore: isoDate }).optional(),
  })
  .refine((d) => Object.keys(d).length > 1, { message: "claim at least one thing", path: ["v"] });
export type Datasheet = z.infer<typeof datasheetSchema>;

/**
 * What the buyer's checks may reveal, set by the seller. Defaults (DEFAULT_POLICY): 16 checks,
 * values rounded to 2 significant digits, no aggregate over fewer than 10 values, every column
 * may be profiled, no raw sample row shown to the agents.
 */
export const disclosurePolicySchema = z.strictObject({
  maxChecks: z.number().int().min(0).max(MAX_CHECKS).optional(),
  /** "passfail": results carry no value; "rounded": values rounded to `precision` significant digits. */
  results: z.enum(["passfail", "rounded"]).optional(),
  precision: z.number().int().min(1).max(6).optional(),
  minGroupSize: z.number().int().min(1).max(1_000_000).optional(),
  /** Columns a check may name; absent = all. */
  profileColumns: z.array(columnName).max(512).optional(),
  /**
   * Raw rows (profiled columns only, each value cut to 160 characters) the agents may see beside
   * the profile, and the terms bind; 0 (the default) shows none.
   */
  sampleRows: z.number().int().min(0).max(MAX_SAMPLE_ROWS).optional(),
});
export type DisclosurePolicyInput = z.infer<typeof disclosurePolicySchema>;
export type DisclosurePolicy = Required<Omit<DisclosurePolicyInput, "profileColumns">> & {
  profileColumns: readonly string[] | null;
};

export const DEFAULT_POLICY: DisclosurePolicy = {
  maxChecks: 16,
  results: "rounded",
  precision: 2,
  minGroupSize: 10,
  profileColumns: null,
  sampleRows: 0,
};

/** The policy in force: the seller's fields over the defaults. */
export function effectivePolicy(p: DisclosurePolicyInput | undefined): DisclosurePolicy {
  return {
    maxChecks: p?.maxChecks ?? DEFAULT_POLICY.maxChecks,
    results: p?.results ?? DEFAULT_POLICY.results,
    precision: p?.precision ?? DEFAULT_POLICY.precision,
    minGroupSize: p?.minGroupSize ?? DEFAULT_POLICY.minGroupSize,
    profileColumns: p?.profileColumns ?? null,
    sampleRows: p?.sampleRows ?? DEFAULT_POLICY.sampleRows,
  };
}

/** The dataset's format, when the seller states it (otherwise the oracle infers it from the bytes). */
export { DATASET_FORMATS, type DatasetFormat } from "./input-rules.ts";

/** One check's outcome as the policy renders it (what the terms bind and the agents see). */
export interface CheckResult {
  id: string;
  kind: CheckKind;
  required: boolean;
  /** "refused": outside the policy or not computable (reason says why); never a pass. */
  status: "pass" | "fail" | "refused";
  /** The measured value, rounded per the policy; absent under "passfail" or when refused. */
  value?: number;
  /** For "refused" and datasheet failures: a stable code such as `check.unknown_column`. */
  reason?: string;
}

/** The check results the terms bind: the specification's hash and every result. */
export interface CheckReport {
  specHash: `0x${string}` | null;
  policy: DisclosurePolicy;
  datasheet: { verified: boolean; results: CheckResult[] } | null;
  results: CheckResult[];
  /** The engine's profile of the dataset (row count, column types, null fractions) as the policy allows. */
  profile?: {
    rowCount: number;
    columns: { name: string; type: ColumnType; nullFraction?: number }[];
    /** Only when the policy's `sampleRows` allows: the first rows, profiled columns only. */
    samples?: Record<string, string | number | boolean | null>[];
  };
}

export type CheckSpecErrorCode = "invalid" | "not_json";

/** A check specification that does not parse: code `checks.<reason>`, naming the field and rule. */
export class CheckSpecError extends DealProofError<`checks.${CheckSpecErrorCode}`> {
  override name = "CheckSpecError";
  constructor(reason: CheckSpecErrorCode, message: string, options?: DealProofErrorOptions) {
    super(`checks.${reason}`, message, options);
  }
}

/** Validates a specification (an object or its JSON text); throws CheckSpecError saying what to fix. */
export function parseCheckSpec(input: unknown): CheckSpec {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch {
      throw new CheckSpecError("not_json", "the check specification is not JSON", {
        hint: 'write it as {"v":1,"checks":[...]} (docs/data.md, "Checks")',
      });
    }
  }
  const r = checkSpecSchema.safeParse(value);
  if (!r.success)
    throw new CheckSpecError("invalid", `the check specification is invalid: ${describeIssues(r.error)}`, {
      hint: 'fix the named fields (docs/data.md, "Checks")',
    });
  return r.data;
}

/** RFC 8785 canonical JSON of a validated specification (only strings, finite numbers, booleans, arrays, objects). */
export function canonicalSpecJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("not a finite number");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalSpecJson).join(",")}]`;
  if (typeof value === "object") {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalSpecJson(o[k])}`).join(",")}}`;
  }
  throw new TypeError(`cannot canonicalise a ${typeof value}`);
}

/** keccak256 of the specification's canonical JSON: the hash the terms bind. */
export function checkSpecHash(spec: CheckSpec): `0x${string}` {
  return keccak256(toUtf8Bytes(canonicalSpecJson(spec))) as `0x${string}`;
}

/** An overlap key: sha256(utf8(salt + id)), as the oracle computes it over the seller's column. */
export function overlapKey(salt: string, id: string): Uint8Array {
  return getBytes(sha256(toUtf8Bytes(salt + id)));
}

type Opts = { required?: boolean };
type Bounds = { min?: number; max?: number };

/**
 * A typed builder. Each call adds one check; `id` defaults to `<kind>-<n>`, checks are required
 * unless `{ required: false }`.
 * @example
 *   const spec = checks().rowCount({ min: 1000 }).column("label", "string").nullFraction("label", 0.01).build();
 */
export class ChecksBuilder {
  #checks: Check[] = [];
  #add(c: Record<string, unknown> & { kind: CheckKind }, o: Opts & { id?: string }): this {
    const { id, required, ...rest } = { ...o };
    this.#checks.push({
      id: id ?? `${c.kind.toLowerCase()}-${this.#checks.length + 1}`,
      required: required ?? true,
      ...c,
      ...rest,
    } as Check);
    return this;
  }
  rowCount(b: Bounds, o: Opts & { id?: string } = {}) {
    return this.#add({ kind: "rowCount", ...b }, o);
  }
  column(column: string, type?: ColumnType, o: Opts & { id?: string } = {}) {
    return this.#add({ kind: "column", column, ...(type === undefined ? {} : { type }) }, o);
  }
  nullFraction(column: string, max: number, o: Opts & { id?: string } = {}) {
    return this.#add({ kind: "nullFraction", column, max }, o);
  }
  unique(columns: string[], o: Opts & { id?: string } = {}) {
    return this.#add({ kind: "unique", columns }, o);
  }
  valuesIn(
    column: string,
    values: (string | number | boolean)[],
    o: Opts & { id?: string; minShare?: number } = {},
  ) {
    return this.#add({ kind: "valuesIn", column, values }, o);
  }
  stat(column: string, stat: "min" | "max" | "mean", b: Bounds, o: Opts & { id?: string } = {}) {
    return this.#add({ kind: "stat", column, stat, ...b }, o);
  }
  quantile(column: string, q: number, b: Bounds, o: Opts & { id?: string } = {}) {
    return this.#add({ kind: "stat", column, stat: "quantile", q, ...b }, o);
  }
  distinctCount(column: string, min: number, o: Opts & { id?: string } = {}) {
    return this.#add({ kind: "distinctCount", column, min }, o);
  }
  pattern(column: string, regex: string, minShare: number, o: Opts & { id?: string } = {}) {
    return this.#add({ kind: "pattern", column, regex, minShare }, o);
  }
  freshness(column: string, notBefore: string, o: Opts & { id?: string } = {}) {
    return this.#add({ kind: "freshness", column, notBefore }, o);
  }
  classBalance(column: string, minShare: number, o: Opts & { id?: string } = {}) {
    return this.#add({ kind: "classBalance", column, minShare }, o);
  }
  overlap(column: string, b: Bounds, o: Opts & { id?: string } = {}) {
    return this.#add({ kind: "overlap", column, ...b }, o);
  }
  /** The validated specification; throws CheckSpecError naming what to fix. */
  build(): CheckSpec {
    return parseCheckSpec({ v: 1, checks: this.#checks });
  }
}

export function checks(): ChecksBuilder {
  return new ChecksBuilder();
}
