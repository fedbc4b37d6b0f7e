/**
 * The check tasks: deal:create --checks refuses a bad specification before it writes the delivery
 * key or touches the chain (nothing escrowed), and dataset:profile runs the oracle's engine
 * locally — profile, checks and verdict.
 */
import { expect } from "chai";
import { existsSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import dealCreate from "../../tasks/actions/deal-create.ts";
import datasetProfile from "../../tasks/actions/dataset-profile.ts";

const dir = mkdtempSync(join(tmpdir(), "dealproof-check-tasks-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(p: Promise<unknown>): Promise<Error & { code?: string; hint?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error("expected a refusal");
}

describe("tasks: deal:create --checks and dataset:profile", function () {
  this.timeout(60_000);

  it("deal:create refuses malformed or invalid checks before anything is written or escrowed", async () => {
    const hre = new Proxy(
      {},
      {
        get: () => {
          throw new Error("the chain was touched");
        },
      },
    ) as HardhatRuntimeEnvironment;
    const base = {
      seller: "0x0000000000000000000000000000000000000002",
      dataRoot: `0x${"11".repeat(32)}`,
      escrow: "1",
      budget: "1",
      requirements: "r",
      hours: "24",
      force: false,
      account: "0",
      json: true,
      requireSellerDomain: false,
      sellerDomain: "",
      oracle: "",
      skipOracleCheck: false,
    };
    for (const [name, body, re] of [
      ["not-json.json", "{nope", /not JSON/],
      [
        "invalid.json",
        JSON.stringify({ v: 1, checks: [{ id: "x", required: true, kind: "rowCount" }] }),
        /give min, max or both/,
      ],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(file, body);
      const key = join(dir, `${name}.key`);
      const e = await refusal(dealCreate({ ...base, deliveryKeyOut: key, checks: file }, hre));
      expect(e.code).to.equal("task.bad_checks");
      expect(e.message).to.match(re);
      expect(e.hint).to.be.a("string");
      expect(existsSync(key), "no delivery key written").to.equal(false);
    }
    const missing = await refusal(
      dealCreate({ ...base, deliveryKeyOut: join(dir, "k"), checks: join(dir, "absent.json") }, hre),
    );
    expect(missing.code).to.equal("task.cannot_read");
  });

  it("dataset:profile prints the engine's profile, the checks and the verdict", async () => {
    const data = join(dir, "d.csv");
    writeFileSync(
      data,
      `id,label\n${Array.from({ length: 20 }, (_, i) => `${i},${i % 4 === 0 ? "" : "a"}`).join("\n")}\n`,
    );
    const checksFile = join(dir, "c.json");
    writeFileSync(
      checksFile,
      JSON.stringify({
        v: 1,
        checks: [{ id: "nulls", required: true, kind: "nullFraction", column: "label", max: 0.1 }],
      }),
    );
    const logs: string[] = [];
    const orig = console.log;
    console.log = (s: string) => logs.push(s);
    try {
      await datasetProfile({ path: data, format: "", checks: checksFile, policy: "", json: true });
    } finally {
      console.log = orig;
    }
    const out = JSON.parse(logs[0]!);
    expect(out.profile).to.deep.equal({
      rowCount: 20,
      columns: [
        { name: "id", type: "integer", nullFraction: 0 },
        { name: "label", type: "string", nullFraction: 0.25 },
      ],
    });
    expect(out.results[0]).to.include({ id: "nulls", status: "fail", value: 0.25 });
    expect(out.verdict).to.deep.equal({
      ok: false,
      code: "check.failed:nulls",
      reason: "the buyer's required check nulls failed",
    });
  });
});
