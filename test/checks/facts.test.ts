/**
 * What the agents learn about the data (issue 23): the facts come from the locked engine's profile
 * under the seller's policy, for every deal — also one without checks. For CSV, JSONL and Parquet
 * the facts the step returns equal the engine's own profile of the same plaintext; a policy that
 * hides a column hides it from the facts and from the rendered prompt; no sample text reaches the
 * view by default, and samples appear only when the policy's `sampleRows` allows; a binary file
 * without checks still negotiates as format "binary"; the plaintext dir is gone afterwards.
 */
import { expect } from "chai";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { effectivePolicy, type DisclosurePolicyInput } from "../../sdk/src/checks.ts";
import type { BuyerInput, SellerInput } from "../../sdk/src/inputs.ts";
import { verifyAndCheck } from "../../oracle/daemon/check-step.ts";
import { encryptFile } from "../../client/files.ts";
import { LOCAL_POLICY } from "../../oracle/data/location-policy.ts";
import { openEngine } from "../../oracle/checks/engine.ts";
import { profileDataset } from "../../oracle/checks/profile.ts";
import { sqlString } from "../../oracle/checks/sql.ts";
import { renderJudgeContext } from "../../oracle/negotiation/prompts.ts";
import type { PublicView } from "../../oracle/negotiation/types.ts";
import { run as negotiateWith, ScriptedAgent, TERMS } from "../negotiation/helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "dealproof-facts-"));
const tmpParent = mkdtempSync(join(tmpdir(), "dealproof-facts-tmp-"));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(tmpParent, { recursive: true, force: true });
});

/** Values that must never reach an agent unless the policy releases rows. */
const SECRET_VALUES = ["zebra-7731", "okapi-4410", "quokka-9902"];

function rows(n = 40): { id: number; label: string; score: number }[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    label: SECRET_VALUES[i % SECRET_VALUES.length]!,
    score: (i % 10) / 10,
  }));
}

const CSV = `id,label,score\n${rows()
  .map((r) => `${r.id},${r.label},${r.score}`)
  .join("\n")}\n`;
const JSONL = `${rows()
  .map((r) => JSON.stringify(r))
  .join("\n")}\n`;

async function parquetFile(path: string): Promise<void> {
  const inst = await DuckDBInstance.create(":memory:");
  const c = await inst.connect();
  const values = rows()
    .map((r) => `(${r.id}, '${r.label}', ${r.score})`)
    .join(", ");
  await c.run(
    `COPY (SELECT * FROM (VALUES ${values}) t(id, label, score)) TO ${sqlString(path)} (FORMAT parquet)`,
  );
  c.closeSync();
  inst.closeSync();
}

async function facts(name: string, body: string | Buffer | null, policy?: DisclosurePolicyInput) {
  const plain = join(dir, name);
  if (body !== null) writeFileSync(plain, body);
  const { manifest, key } = await encryptFile(plain, `${plain}.enc`, { chunkSize: 4096 });
  const seller = {
    v: 1,
    floorWei: "1",
    description: "animals",
    dataset: { location: pathToFileURL(`${plain}.enc`).href, key, chunkSize: 4096 },
    ...(policy === undefined ? {} : { policy }),
  } as SellerInput;
  const buyer = { v: 1, budgetWei: "2", requirements: "animals", deliveryPublicKey: "0x" } as BuyerInput;
  const r = await verifyAndCheck(buyer, seller, manifest.root, {
    fetch: { policy: LOCAL_POLICY, maxBytes: 1 << 26 },
    tmpParent,
  });
  expect(readdirSync(tmpParent), "the plaintext dir is gone").to.deep.equal([]);
  return { r, plain };
}

/** The engine's own profile of the plaintext, as the policy allows. */
async function engineProfile(
  path: string,
  format: "csv" | "jsonl" | "parquet",
  policy?: DisclosurePolicyInput,
) {
  const engine = await openEngine({ dataPath: path, format, keysPath: null, tmpDir: tmpParent });
  try {
    return await profileDataset(engine, effectivePolicy(policy));
  } finally {
    engine.close();
  }
}

/** The view the buyer's agent gets in a negotiation fed with these facts, and its rendered prompt. */
async function buyerView(
  f: Readonly<Record<string, unknown>>,
): Promise<{ view: PublicView; prompt: string }> {
  const judgement = { walkAway: false, valueFactor: 1, terms: TERMS, message: "fine" };
  const buyer = new ScriptedAgent("buyer", judgement);
  await negotiateWith(buyer, new ScriptedAgent("seller", judgement), { facts: f });
  const view = buyer.views[0]!;
  return { view, prompt: renderJudgeContext(view) };
}

describe("the agents' facts come from the engine's profile (issue 23)", function () {
  this.timeout(60_000);

  for (const [format, body] of [
    ["csv", CSV],
    ["jsonl", JSONL],
    ["parquet", null],
  ] as const)
    it(`${format}: the facts are the engine's profile, with size and chunking, and no samples`, async () => {
      const name = `data.${format}`;
      if (body === null) await parquetFile(join(dir, name));
      const { r, plain } = await facts(name, body);
      const profile = await engineProfile(plain, format);
      expect(r.verdict).to.deep.equal({ ok: true });
      expect(r.evidence, "no checks, no evidence").to.equal(undefined);
      expect(r.facts).to.deep.equal({
        sizeBytes: r.verified.size,
        chunkCount: r.verified.chunkCount,
        chunkSize: 4096,
        format,
        records: profile.rowCount,
        columns: profile.columns,
      });
      expect(r.facts.records).to.equal(40);
      expect(r.facts.columns!.map((c) => [c.name, c.type])).to.deep.equal([
        ["id", "integer"],
        ["label", "string"],
        ["score", "number"],
      ]);
      const { view, prompt } = await buyerView(r.facts);
      expect(view.facts).to.deep.equal(r.facts);
      for (const v of SECRET_VALUES) expect(prompt, "a field value reached the agent").to.not.include(v);
    });

  it("a policy that hides a column hides it from the facts and the prompt", async () => {
    const policy = { profileColumns: ["id", "score"] };
    const { r, plain } = await facts("hidden.csv", CSV, policy);
    expect(r.facts.columns!.map((c) => c.name)).to.deep.equal(["id", "score"]);
    expect(r.facts.columns).to.deep.equal((await engineProfile(plain, "csv", policy)).columns);
    const { prompt } = await buyerView(r.facts);
    expect(prompt).to.not.include('"name":"label"');
    expect(JSON.stringify(r.facts)).to.not.include("label");
    expect(prompt).to.include('"name":"score"');
  });

  it("the policy's rounding and minimum group size apply to the facts", async () => {
    const withNulls = `id,label\n${Array.from({ length: 30 }, (_, i) => `${i},${i % 3 === 0 ? "" : "x"}`).join("\n")}\n`;
    const rounded = await facts("nulls.csv", withNulls, { precision: 1 });
    expect(rounded.r.facts.columns!.find((c) => c.name === "label")!.nullFraction).to.equal(0.3);
    const small = await facts("nulls-small.csv", withNulls, { minGroupSize: 31 });
    expect(small.r.facts.columns!.every((c) => c.nullFraction === undefined)).to.equal(true);
    const passfail = await facts("nulls-pf.csv", withNulls, { results: "passfail" });
    expect(passfail.r.facts.columns!.every((c) => c.nullFraction === undefined)).to.equal(true);
  });

  it("samples reach the agents only when the policy's sampleRows allows, profiled columns only", async () => {
    const { r } = await facts("samples.csv", CSV, { sampleRows: 2, profileColumns: ["id", "label"] });
    expect(r.facts.samples).to.deep.equal([
      { id: "1", label: SECRET_VALUES[0] },
      { id: "2", label: SECRET_VALUES[1] },
    ]);
    const { prompt } = await buyerView(r.facts);
    expect(prompt).to.include(SECRET_VALUES[0]);
    expect(prompt).to.not.include(SECRET_VALUES[2]);
    const long = await facts("long.csv", `id,text\n1,${"y".repeat(500)}\n`, { sampleRows: 1 });
    expect(long.r.facts.samples![0]!.text).to.equal("y".repeat(160));
  });

  it("a binary file with no checks still negotiates, as format binary", async () => {
    const bin = Buffer.from(Array.from({ length: 9000 }, (_, i) => (i * 7919) % 256));
    const { r } = await facts("blob.bin", bin);
    expect(r.verdict).to.deep.equal({ ok: true });
    expect(r.facts).to.deep.equal({
      sizeBytes: 9000,
      chunkCount: 3,
      chunkSize: 4096,
      format: "binary",
    });
    const out = await negotiateWith(
      new ScriptedAgent("b", { walkAway: false, valueFactor: 1, terms: TERMS, message: "ok" }),
      new ScriptedAgent("s", { walkAway: false, valueFactor: 1, terms: TERMS, message: "ok" }),
      { facts: r.facts },
    );
    expect(out.agreed).to.equal(true);
  });
});
