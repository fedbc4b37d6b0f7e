/**
 * The deal page's reading of the terms' data checks (web/src/terms-checks.ts): the terms hash it
 * recomputes from the published terms equals the one the oracle settles (its own canonical JSON,
 * oracle/negotiation/canonical.ts), a changed result does not, and a no-deal names the failed check.
 */
import { expect } from "chai";
import { DEFAULT_POLICY, type CheckReport } from "../../sdk/src/checks.ts";
import { noDealTerms, termsOutput } from "../../oracle/negotiation/canonical.ts";
import { termsChecks } from "../../web/src/terms-checks.ts";

const report: CheckReport = {
  specHash: `0x${"ab".repeat(32)}`,
  policy: DEFAULT_POLICY,
  datasheet: null,
  results: [
    { id: "enough-rows", kind: "rowCount", required: true, status: "pass", value: 3000 },
    { id: "labels-known", kind: "valuesIn", required: true, status: "fail", value: 0 },
    { id: "mine", kind: "overlap", required: false, status: "refused", reason: "check.no_overlap_keys" },
  ],
};

describe("dapp terms checks", () => {
  it("recomputes the oracle's terms hash and names the required check that ended the deal", () => {
    const t = noDealTerms({
      dealId: 7n,
      reason: "checks: the buyer's required check labels-known failed",
      dataFacts: { sha256: "00", checks: report },
      reasonCode: "check.failed:labels-known",
    });
    const c = termsChecks(JSON.parse(t.termsJson), t.termsHash.toUpperCase().replace("0X", "0x"));
    expect(c.termsHash).to.equal(t.termsHash);
    expect(c.matches).to.equal(true);
    expect(c.agreed).to.equal(false);
    expect(c.failedBy).to.deep.equal({ id: "labels-known", what: "check" });
    expect(c.report!.results.map((r) => [r.id, r.status])).to.deep.equal([
      ["enough-rows", "pass"],
      ["labels-known", "fail"],
      ["mine", "refused"],
    ]);
  });

  it("does not match when a result was changed after settlement", () => {
    const t = noDealTerms({ dealId: 7n, reason: "r", dataFacts: { checks: report } });
    const doc = JSON.parse(t.termsJson) as { dataFacts: { checks: CheckReport } };
    doc.dataFacts.checks.results[1]!.status = "pass";
    const c = termsChecks(doc, t.termsHash);
    expect(c.matches).to.equal(false);
    expect(c.failedBy).to.equal(null);
  });

  it("names a false datasheet claim, and says when a deal ran no checks", () => {
    const claim = {
      ...report,
      datasheet: {
        verified: false,
        results: [{ id: "datasheet.rowCount", kind: "rowCount", required: true, status: "fail" as const }],
      },
    };
    const t = noDealTerms({
      dealId: 1n,
      reason: "r",
      dataFacts: { checks: claim },
      reasonCode: "datasheet.rowCount",
    });
    expect(termsChecks(JSON.parse(t.termsJson), t.termsHash).failedBy).to.deep.equal({
      id: "datasheet.rowCount",
      what: "claim",
    });
    const plain = termsOutput({
      v: 1,
      dealId: "1",
      agreed: true,
      priceWei: "5",
      terms: null,
      agents: null,
      policyHash: null,
      sellerIdentity: null,
      dataFacts: { sha256: "00" },
    });
    const c = termsChecks(JSON.parse(plain.termsJson), plain.termsHash);
    expect(c).to.include({ matches: true, agreed: true, failedBy: null, report: null });
  });

  it("refuses terms of another shape in plain words", () => {
    expect(() => termsChecks({ agreed: "yes" }, "0x")).to.throw(/not of the shape this page knows/);
  });
});
