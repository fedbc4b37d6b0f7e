/**
 * The check step's hold for query_data (oracle/daemon/check-step.ts, issue 23): after a passing
 * stage the engine and the deal's plaintext stay open for the buyer's agent's queries — the step
 * hands the runner out with the release — and the release closes the engine and removes the tmp
 * dir; without a hold, or when the stage fails, nothing outlives the step.
 */
import { expect } from "chai";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checks } from "../../sdk/src/checks.ts";
import type { BuyerInput, SellerInput } from "../../sdk/src/inputs.ts";
import { prepareDataset } from "../../scripts/lib/seller-kit.ts";
import { scenarioByName } from "../../scripts/lib/scenarios.ts";
import { LOCAL_POLICY } from "../../oracle/data/location-policy.ts";
import { verifyAndCheck } from "../../oracle/daemon/check-step.ts";

const dir = mkdtempSync(join(tmpdir(), "dealproof-step-query-"));
const tmpParent = mkdtempSync(join(tmpdir(), "dealproof-step-query-tmp-"));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(tmpParent, { recursive: true, force: true });
});

describe("check step: the engine held for the buyer's agent's queries, and released", function () {
  this.timeout(60_000);
  let seller: SellerInput;
  let root: string;
  before(async () => {
    const rows = Array.from({ length: 60 }, (_, i) => `${i + 1},${i % 2 ? "cat" : "dog"}`);
    const csv = `id,label\n${rows.join("\n")}\n`;
    const data = await prepareDataset(dir, scenarioByName("vision"), { csv, chunkSize: 4096, tag: "labels" });
    root = data.dataRoot;
    seller = {
      v: 1,
      floorWei: "1",
      description: "labels",
      dataset: { location: data.location, key: data.key, chunkSize: data.chunkSize },
      policy: { maxChecks: 2 },
    };
  });
  const buyer = (min: number) =>
    ({
      v: 1,
      budgetWei: "2",
      requirements: "labels",
      checks: checks().rowCount({ min }).build(),
    }) as BuyerInput;
  const options = { fetch: { policy: LOCAL_POLICY, maxBytes: 1 << 20 }, tmpParent };

  it("a passing stage with a hold: queries run under the policy's remaining budget until the release", async () => {
    const releases: (() => Promise<void>)[] = [];
    const r = await verifyAndCheck(buyer(10), seller, root, { ...options, hold: (f) => releases.push(f) });
    expect(r.verdict).to.deep.equal({ ok: true });
    expect(releases).to.have.length(1);
    expect(readdirSync(tmpParent), "the plaintext stays while the negotiation may query it").to.have.length(
      1,
    );
    const first = await r.queryData!({ kind: "distinctCount", column: "label", min: 2 });
    expect(first).to.deep.include({
      result: { id: "query-1", kind: "distinctCount", required: false, status: "pass", value: 2 },
    });
    // 1 sealed check + 1 query = maxChecks 2: the next is refused
    expect(await r.queryData!({ kind: "rowCount", min: 1 })).to.deep.equal({
      refused: "policy.too_many_checks",
    });
    await releases[0]!();
    expect(readdirSync(tmpParent), "released: the plaintext is gone").to.deep.equal([]);
  });

  it("without a hold, or when the stage fails, nothing outlives the step", async () => {
    const plain = await verifyAndCheck(buyer(10), seller, root, options);
    expect(plain.verdict).to.deep.equal({ ok: true });
    expect(plain.queryData).to.equal(undefined);
    expect(readdirSync(tmpParent)).to.deep.equal([]);
    const releases: (() => Promise<void>)[] = [];
    const failing = await verifyAndCheck(buyer(1000), seller, root, {
      ...options,
      hold: (f) => releases.push(f),
    });
    expect(failing.verdict).to.include({ ok: false, code: "check.failed:rowcount-1" });
    expect([failing.queryData, releases.length]).to.deep.equal([undefined, 0]);
    expect(readdirSync(tmpParent)).to.deep.equal([]);
  });
});
