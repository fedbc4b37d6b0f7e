/**
 * The checks editor's rows (web/src/check-rows.ts): what the buyer types becomes the SDK's check
 * specification, validated by the SDK's own schema, every problem placed on its row and field;
 * a checks.json (the `deal:create --checks` format) loads back into rows that give the same spec.
 */
import { expect } from "chai";
import { checkSchema, checks, checkSpecHash } from "../../sdk/src/checks.ts";
import { checksFromRows, edited, KINDS, newRow, rowsFromJson } from "../../web/src/check-rows.ts";
import type { CheckRow } from "../../web/src/check-rows.ts";

const row = (kind: CheckRow["kind"], id: string, fields: CheckRow["fields"], required = true): CheckRow => ({
  ...newRow(kind, []),
  id,
  required,
  fields,
});

describe("dapp checks editor rows", () => {
  it("offers every kind of check the SDK's schema accepts", () => {
    const sdkKinds = checkSchema.options.map((o) => o.shape.kind.value);
    expect(sdkKinds).to.have.length(11);
    expect(KINDS.map((k) => k.kind)).to.have.members(sdkKinds);
  });

  it("turns typed rows into the same specification the SDK's builder makes", () => {
    const rows = [
      row("rowCount", "enough-rows", { min: "1000" }),
      row("column", "label-column", { column: "label", type: "string" }),
      row("nullFraction", "labels-present", { column: "label", max: "0" }),
      row("unique", "ids-unique", { columns: "image_id, label" }, false),
      row("valuesIn", "labels-known", { column: "label", values: "car, person, 2025, true" }),
      row("stat", "x-median", { column: "x", stat: "quantile", q: "0.5", min: "100", max: "1700" }, false),
      row("distinctCount", "classes", { column: "label", min: "5" }),
      row("pattern", "id-format", { column: "image_id", regex: "^img_[0-9]{6}$", minShare: "0.99" }),
      row("freshness", "recent", { column: "verified", notBefore: "2025-01-01" }, false),
      row("classBalance", "balanced", { column: "label", minShare: "0.05" }, false),
      row("overlap", "mine", { column: "image_id", min: "1" }, false),
    ];
    const r = checksFromRows(rows);
    expect(r.ok, JSON.stringify(r)).to.equal(true);
    const built = checks()
      .rowCount({ min: 1000 }, { id: "enough-rows" })
      .column("label", "string", { id: "label-column" })
      .nullFraction("label", 0, { id: "labels-present" })
      .unique(["image_id", "label"], { id: "ids-unique", required: false })
      .valuesIn("label", ["car", "person", 2025, true], { id: "labels-known" })
      .quantile("x", 0.5, { min: 100, max: 1700 }, { id: "x-median", required: false })
      .distinctCount("label", 5, { id: "classes" })
      .pattern("image_id", "^img_[0-9]{6}$", 0.99, { id: "id-format" })
      .freshness("verified", "2025-01-01", { id: "recent", required: false })
      .classBalance("label", 0.05, { id: "balanced", required: false })
      .overlap("image_id", { min: 1 }, { id: "mine", required: false })
      .build();
    if (r.ok) expect(checkSpecHash(r.spec!)).to.equal(checkSpecHash(built));
  });

  it("is no specification at all when there are no rows", () => {
    expect(checksFromRows([])).to.deep.equal({ ok: true, spec: undefined });
  });

  it("places each problem on its row and field, in the SDK's words", () => {
    const a = row("rowCount", "rows", { min: "10", max: "5" });
    const b = row("nullFraction", "Bad Id", { column: "label", max: "1.5" });
    const c = row("stat", "s", { column: "x", stat: "mean", min: "abc" });
    const d = row("stat", "q", { column: "x", stat: "mean", q: "0.5", min: "1" });
    const e = row("pattern", "p", { column: "x", regex: "(a)\\1", minShare: "1" });
    const f = row("rowCount", "none", {});
    const r = checksFromRows([a, b, c, d, e, f]);
    expect(r.ok).to.equal(false);
    if (r.ok) return;
    expect(r.errors[a.uid]).to.deep.equal({ min: "min must not exceed max" });
    expect(r.errors[b.uid]!.id).to.match(/a-z, 0-9/);
    expect(r.errors[b.uid]!.max).to.equal("must be from 0 to 1");
    expect(r.errors[c.uid]!.min).to.equal("must be a number");
    expect(r.errors[d.uid]!.q).to.match(/q is required for stat "quantile" and only for it/);
    expect(r.errors[e.uid]!.regex).to.match(/back-references or look-around/);
    expect(r.errors[f.uid]!.min).to.equal("give min, max or both");
    expect(r.general).to.deep.equal([]);
  });

  it("refuses two checks with one id as a problem of the whole list", () => {
    const r = checksFromRows([row("rowCount", "x", { min: "1" }), row("rowCount", "x", { max: "9" })]);
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.general).to.deep.equal(["checks: check ids must be unique"]);
  });

  it("loads a checks.json back into rows that give the same specification", () => {
    const spec = checks()
      .rowCount({ min: 1, max: 9 }, { id: "a" })
      .column("label", undefined, { id: "b", required: false })
      .valuesIn("label", ["car", 7], { id: "c", minShare: 0.5 })
      .stat("x", "max", { max: 10 }, { id: "d" })
      .build();
    const rows = rowsFromJson(JSON.stringify(spec));
    expect(rows.map((r) => r.id)).to.deep.equal(["a", "b", "c", "d"]);
    const r = checksFromRows(rows);
    expect(r.ok).to.equal(true);
    if (r.ok) expect(checkSpecHash(r.spec!)).to.equal(checkSpecHash(spec));
  });

  it("sends an imported check exactly as the file gave it until the row is edited", () => {
    const spec = checks().valuesIn("city", ["Paris, France", "7"], { id: "cities" }).build();
    const [row] = rowsFromJson(JSON.stringify(spec));
    const same = checksFromRows([row!]);
    expect(same.ok && checkSpecHash(same.spec!)).to.equal(checkSpecHash(spec));
    // once edited, the row's text is the check: the comma now separates two values
    const r = checksFromRows([{ ...edited(row!), id: "cities" }]);
    expect(r.ok && r.spec!.checks[0]).to.deep.include({ values: ["Paris", "France", 7] });
  });

  it("refuses a checks.json that is not one, saying what to fix", () => {
    expect(() => rowsFromJson("{")).to.throw(/not JSON/);
    expect(() =>
      rowsFromJson(JSON.stringify({ v: 1, checks: [{ id: "a", kind: "nope", required: true }] })),
    ).to.throw(/the check specification is invalid: checks\.0\.kind/);
  });

  it("gives a new row an id no other row has", () => {
    const first = newRow("rowCount", []);
    const second = newRow("rowCount", [first, { ...first, id: "rowcount-2" }]);
    expect(second.id).to.equal("rowcount-3");
  });
});
