/**
 * The parties' inputs checked by hand, for the viem entry, which must not pull in zod (a viem
 * dapp would ship zod's ~50 kB for a dozen fields). Why hand-written checks rather than zod behind
 * an optional peer: the sealed inputs have few, flat fields, and the rules are the same patterns
 * and words as the zod schemas (../input-rules.ts), so the two agree by construction
 * (test/sdk/viem-inputs.test.ts feeds both the same bad inputs). What is checked here in full:
 * every scalar field, unknown fields, the dataset locator, per-scope prices. Checked only in shape
 * (an object, a non-empty list of at most MAX_CHECKS checks each with a `kind`): the buyer's data
 * checks, overlap keys, the seller's datasheet and policy — build them with `checks()` /
 * `parseCheckSpec` of the `dealproof` entry (zod) to have every rule applied before sealing; the
 * oracle applies them all when it opens the input either way. Errors name the field and the rule,
 * never the value (it may be private).
 */
import * as R from "../input-rules.ts";
import { MAX_CHUNK_SIZE, MAX_TEXT, MIN_CHUNK_SIZE } from "../limits.ts";
import { SealedInputError } from "../sealed-input-error.ts";

type Problems = string[];
type Rule = (value: unknown, path: string, out: Problems) => void;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const pattern =
  (re: RegExp, rule: string, max = Infinity, longRule = rule): Rule =>
  (v, path, out) => {
    if (typeof v !== "string") out.push(`${path}: must be a string`);
    else if (v.length > max) out.push(`${path}: ${longRule}`);
    else if (!re.test(v)) out.push(`${path}: ${rule}`);
  };

const wei = pattern(R.WEI_PATTERN, R.WEI_RULE);
const hex32 = pattern(R.HEX32_PATTERN, R.HEX32_RULE);

const text: Rule = (v, path, out) => {
  if (typeof v !== "string") out.push(`${path}: must be a string`);
  else if (v.length === 0) out.push(`${path}: ${R.TEXT_EMPTY_RULE}`);
  else if (v.length > MAX_TEXT) out.push(`${path}: ${R.TEXT_LONG_RULE}`);
};

const literal1: Rule = (v, path, out) => {
  if (v !== 1) out.push(`${path}: must be 1`);
};

const anObject: Rule = (v, path, out) => {
  if (!isObject(v)) out.push(`${path}: must be an object`);
};

const weiByScope: Rule = (v, path, out) => {
  if (!isObject(v)) return void out.push(`${path}: must be an object`);
  for (const [k, x] of Object.entries(v)) {
    if (!(R.ACCESS_SCOPES as readonly string[]).includes(k))
      out.push(`${path}: "${k}" is not an access scope (${R.ACCESS_SCOPES.join(", ")})`);
    else wei(x, `${path}.${k}`, out);
  }
};

const sellerDomain: Rule = (v, path, out) => {
  if (typeof v === "boolean") return;
  pattern(R.DOMAIN_PATTERN, R.DOMAIN_RULE, 253)(v, path, out);
};

const checkSpecShape: Rule = (v, path, out) => {
  if (!isObject(v)) return void out.push(`${path}: must be an object`);
  if (v.v !== 1) out.push(`${path}.v: must be 1`);
  const list = v.checks;
  if (!Array.isArray(list) || list.length === 0)
    return void out.push(`${path}.checks: give at least one check`);
  if (list.length > R.MAX_CHECKS) out.push(`${path}.checks: at most ${R.MAX_CHECKS} checks`);
  list.forEach((c, i) => {
    if (!isObject(c) || typeof c.kind !== "string")
      out.push(`${path}.checks.${i}: must be a check with a kind`);
  });
};

const chunkSize: Rule = (v, path, out) => {
  if (typeof v !== "number" || !Number.isInteger(v) || v < MIN_CHUNK_SIZE || v > MAX_CHUNK_SIZE)
    out.push(`${path}: must be a whole number from ${MIN_CHUNK_SIZE} to ${MAX_CHUNK_SIZE}`);
};

const format: Rule = (v, path, out) => {
  if (!(R.DATASET_FORMATS as readonly unknown[]).includes(v))
    out.push(`${path}: must be one of ${R.DATASET_FORMATS.join(", ")}`);
};

/** An object with exactly these fields (the optional ones may be absent). */
function fields(required: Record<string, Rule>, optional: Record<string, Rule> = {}): Rule {
  return (v, path, out) => {
    const at = (k: string) => (path === "" ? k : `${path}.${k}`);
    if (!isObject(v)) return void out.push(`${path || "(input)"}: must be an object`);
    for (const k of Object.keys(v))
      if (!(k in required) && !(k in optional)) out.push(`${at(k)}: is not a field of this input`);
    for (const [k, rule] of Object.entries(required)) {
      if (v[k] === undefined) out.push(`${at(k)}: is required`);
      else rule(v[k], at(k), out);
    }
    for (const [k, rule] of Object.entries(optional)) if (v[k] !== undefined) rule(v[k], at(k), out);
  };
}

const buyerInput = fields(
  { v: literal1, budgetWei: wei, requirements: text, deliveryPublicKey: hex32 },
  {
    requireSellerDomain: sellerDomain,
    budgetByScopeWei: weiByScope,
    checks: checkSpecShape,
    overlapKeys: anObject,
  },
);

const sellerInput = fields(
  {
    v: literal1,
    floorWei: wei,
    description: text,
    dataset: fields(
      { location: pattern(R.LOCATION_PATTERN, R.LOCATION_RULE, R.MAX_LOCATION), key: hex32, chunkSize },
      { format },
    ),
  },
  {
    datasheet: anObject,
    policy: anObject,
    email: pattern(R.BASE64_PATTERN, R.BASE64_RULE, R.MAX_EMAIL_BASE64, R.EMAIL_LONG_RULE),
    floorByScopeWei: weiByScope,
    postedPriceWei: wei,
  },
);

function check(role: "buyer" | "seller", rule: Rule, input: unknown): void {
  const out: Problems = [];
  rule(input, "", out);
  if (out.length > 0)
    throw new SealedInputError("invalid_schema", `the ${role} input is invalid: ${out.join("; ")}`, {
      hint: "correct the named fields; no value is ever shown in this message",
    });
}

/** Throws `sealed_input.invalid_schema`, naming each bad field, unless `input` is a valid buyer input. */
export const checkBuyerInput = (input: unknown) => check("buyer", buyerInput, input);
/** Throws `sealed_input.invalid_schema`, naming each bad field, unless `input` is a valid seller input. */
export const checkSellerInput = (input: unknown) => check("seller", sellerInput, input);
