/**
 * The check specification (sdk/src/checks.ts): the builder yields valid specifications, bad JSON
 * and bad fields are refused naming what to fix, the hash is keccak256 of RFC 8785 JSON (checked
 * against the canonicalize package), and the sealed inputs accept the new optional fields while
 * v1 inputs without them stay valid.
 */
import { expect } from "chai";
import canonicalizeModule from "canonicalize";
import { keccak256, toUtf8Bytes, sha256 } from "ethers";
import {
  canonicalSpecJson,
  checks,
  checkSpecHash,
  CheckSpecError,
  DEFAULT_POLICY,
  effectivePolicy,
  overlapKey,
  parseCheckSpec,
} from "../../sdk/src/checks.ts";
import { buyerInputSchema, sellerInputSchema } from "../../sdk/src/inputs.ts";

const canonicalize = canonicalizeModule as unknown as (v: unknown) => string;

function refusal(input: unknown): CheckSpecError {
  try {
    parseCheckSpec(input);
  } catch (e) {
    expect(e).to.be.instanceOf(CheckSpecError);
    return e as CheckSpecError;
  }
  throw new Error("expected a CheckSpecError");
}

describe("check specification", () => {
  const spec = checks()
    .rowCount({ min: 100, max: 1e6 })
    .column("label", "string")
    .nullFraction("label", 0.01)
    .unique(["id"])
    .valuesIn("label", ["cat", "dog"], { required: false })
    .stat("score", "mean", { min: 0, max: 1 })
    .quantile("score", 0.9, { max: 0.99 })
    .distinctCount("id", 50)
    .pattern("id", "^[0-9]+$", 0.99)
    .freshness("ts", "2026-01-01")
    .classBalance("label", 0.2)
    .overlap("id", { max: 10 }, { id: "already-have" })
    .build();

  it("the builder covers every kind, with ids, required flags and defaults", () => {
    expect(spec.v).to.equal(1);
    expect(spec.checks.map((c) => c.kind)).to.deep.equal([
      "rowCount",
      "column",
      "nullFraction",
      "unique",
      "valuesIn",
      "stat",
      "stat",
      "distinctCount",
      "pattern",
      "freshness",
      "classBalance",
      "overlap",
    ]);
    expect(spec.checks[4]!.required).to.equal(false);
    expect(spec.checks[0]!.required).to.equal(true);
    expect(spec.checks[11]!.id).to.equal("already-have");
    expect(parseCheckSpec(JSON.stringify(spec))).to.deep.equal(spec);
  });

  it("hashes RFC 8785 canonical JSON (same bytes as the canonicalize package)", () => {
    const tricky = parseCheckSpec({
      v: 1,
      checks: [
        { kind: "stat", stat: "mean", column: 'é"\\\u2028', id: "z", required: true, min: 1e21, max: 1e22 },
      ],
    });
    for (const s of [spec, tricky]) {
      expect(canonicalSpecJson(s)).to.equal(canonicalize(s));
      expect(checkSpecHash(s)).to.equal(keccak256(toUtf8Bytes(canonicalize(s))));
    }
    expect(checkSpecHash(spec)).to.not.equal(checkSpecHash(tricky));
  });

  it("refuses malformed JSON and bad fields, naming the field and the rule", () => {
    expect(refusal("{not json").code).to.equal("checks.not_json");
    const cases: [unknown, RegExp][] = [
      [{ v: 2, checks: [] }, /v:/],
      [{ v: 1, checks: [] }, /at least one check/],
      [{ v: 1, checks: [{ id: "a", required: true, kind: "sql", sql: "DROP TABLE x" }] }, /kind/],
      [{ v: 1, checks: [{ id: "A B", required: true, kind: "rowCount", min: 1 }] }, /id/],
      [{ v: 1, checks: [{ id: "a", required: true, kind: "rowCount" }] }, /give min, max or both/],
      [
        { v: 1, checks: [{ id: "a", required: true, kind: "rowCount", min: 5, max: 1 }] },
        /min must not exceed max/,
      ],
      [
        { v: 1, checks: [{ id: "a", required: true, kind: "nullFraction", column: "x", max: 2 }] },
        /from 0 to 1/,
      ],
      [
        {
          v: 1,
          checks: [{ id: "a", required: true, kind: "pattern", column: "x", regex: "(a)\\1", minShare: 1 }],
        },
        /back-references/,
      ],
      [
        {
          v: 1,
          checks: [
            { id: "a", required: true, kind: "pattern", column: "x", regex: "a".repeat(300), minShare: 1 },
          ],
        },
        /at most 256/,
      ],
      [
        { v: 1, checks: [{ id: "a", required: true, kind: "stat", column: "x", stat: "quantile", min: 1 }] },
        /q is required/,
      ],
      [
        {
          v: 1,
          checks: [{ id: "a", required: true, kind: "freshness", column: "x", notBefore: "yesterday" }],
        },
        /ISO 8601/,
      ],
      [
        { v: 1, checks: [{ id: "a", required: true, kind: "column", column: "x", extra: 1 }] },
        /extra|Unrecognized/i,
      ],
      [
        { v: 1, checks: [1, 2].map(() => ({ id: "same", required: true, kind: "rowCount", min: 1 })) },
        /unique/,
      ],
    ];
    for (const [input, re] of cases) {
      const e = refusal(input);
      expect(e.code, JSON.stringify(input)).to.equal("checks.invalid");
      expect(e.message, JSON.stringify(input)).to.match(re);
      expect(e.hint).to.be.a("string");
    }
  });

  it("policy defaults are documented values, overridable field by field", () => {
    expect(effectivePolicy(undefined)).to.deep.equal(DEFAULT_POLICY);
    expect(effectivePolicy({ results: "passfail" })).to.deep.equal({
      ...DEFAULT_POLICY,
      results: "passfail",
    });
  });

  it("overlap keys are sha256(salt + id)", () => {
    expect(Buffer.from(overlapKey("salt-salt-salt-salt", "42")).toString("hex")).to.equal(
      sha256(toUtf8Bytes("salt-salt-salt-salt42")).slice(2),
    );
  });

  it("sealed inputs: v1 without the new fields stays valid; the new fields validate", () => {
    const buyer = { v: 1, budgetWei: "1", requirements: "r", deliveryPublicKey: `0x${"11".repeat(32)}` };
    expect(buyerInputSchema.safeParse(buyer).success).to.equal(true);
    expect(buyerInputSchema.safeParse({ ...buyer, checks: spec }).success).to.equal(true);
    expect(
      buyerInputSchema.safeParse({ ...buyer, checks: { v: 1, checks: [{ kind: "x" }] } }).success,
    ).to.equal(false);
    const seller = {
      v: 1,
      floorWei: "1",
      description: "d",
      dataset: { location: "file:///x", key: `0x${"22".repeat(32)}`, chunkSize: 4096 },
    };
    expect(sellerInputSchema.safeParse(seller).success).to.equal(true);
    const full = {
      ...seller,
      dataset: { ...seller.dataset, format: "parquet" },
      datasheet: {
        v: 1,
        rowCount: { min: 10 },
        columns: [{ name: "id", type: "integer" }],
        uniqueKey: ["id"],
      },
      policy: { maxChecks: 4, results: "passfail", minGroupSize: 20, profileColumns: ["id"] },
    };
    expect(sellerInputSchema.safeParse(full).success).to.equal(true);
    expect(sellerInputSchema.safeParse({ ...full, policy: { maxChecks: -1 } }).success).to.equal(false);
    expect(sellerInputSchema.safeParse({ ...full, datasheet: { v: 1 } }).success).to.equal(false);
  });
});
