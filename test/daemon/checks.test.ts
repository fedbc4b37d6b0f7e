/**
 * DESIGN §10 in the pipeline (buildOutcome): the buyer's checks and the seller's datasheet run on
 * the verified plaintext; a failing required check, a false claim, a refused required check, a bad
 * key file and a hostile dataset each end the deal as no deal (escrow back at once, no key
 * delivered) with a reason code naming it; a passing deal's terms bind the specification's hash
 * and every result, and the terms hash re-derives from the published terms. The plaintext tmp
 * dirs are gone afterwards, and a hostile dataset does not stop the next deal.
 */
import { expect } from "chai";
import { mkdtempSync, readdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { hexlify, keccak256, toUtf8Bytes } from "ethers";
import { buildOutcome, type PipelineDeps } from "../../oracle/daemon/pipeline.ts";
import { generateX25519KeyPair } from "../../sdk/src/hpke.ts";
import { LOCAL_POLICY } from "../../oracle/data/location-policy.ts";
import type { BuyerInput, SellerInput } from "../../sdk/src/inputs.ts";
import { encryptFile } from "../../client/files.ts";
import { checks, checkSpecHash, overlapKey } from "../../sdk/src/checks.ts";
import { StrategyAgent } from "../../oracle/negotiation/strategy-agent.ts";
import { createStaticResolver } from "../../oracle/dkim/resolver.ts";
import { acceptedDealRow, SEAL_CONTEXT } from "../fixtures/settlements.ts";

const ETH = 10n ** 18n;
const dir = mkdtempSync(join(tmpdir(), "dealproof-pipeline-checks-"));
const tmpParent = mkdtempSync(join(tmpdir(), "dealproof-check-tmp-"));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(tmpParent, { recursive: true, force: true });
});

function csv(rows = 300): string {
  const out = ["id,label,score"];
  for (let i = 1; i <= rows; i++) out.push(`${i},${["cat", "dog", "bird"][i % 3]},${(i % 100) / 100}`);
  return `${out.join("\n")}\n`;
}

async function dataset(name: string, body: string | Buffer) {
  const plain = join(dir, name);
  writeFileSync(plain, body);
  const { manifest, key } = await encryptFile(plain, `${plain}.enc`, { chunkSize: 4096 });
  return { location: pathToFileURL(`${plain}.enc`).href, key, chunkSize: 4096, root: manifest.root };
}

let nextId = 100n;
async function run(
  data: Awaited<ReturnType<typeof dataset>>,
  buyerExtra: Partial<BuyerInput>,
  sellerExtra: Partial<SellerInput>,
) {
  const delivery = await generateX25519KeyPair();
  const { row: deal, oracleKey } = await acceptedDealRow({
    dealId: nextId++,
    buyer: {
      v: 1,
      budgetWei: (8n * ETH).toString(),
      requirements: "labelled animal images",
      deliveryPublicKey: hexlify(delivery.publicKey),
      ...buyerExtra,
    },
    seller: {
      v: 1,
      floorWei: (2n * ETH).toString(),
      description: "animal labels",
      dataset: { location: data.location, key: data.key, chunkSize: data.chunkSize },
      ...sellerExtra,
    },
    dataRoot: data.root,
    escrowWei: 10n * ETH,
    deadline: Math.floor(Date.now() / 1000) + 3600,
  });
  const deps: PipelineDeps = {
    ...SEAL_CONTEXT,
    keyring: [{ epoch: 1, publicKey: "0x", privateKey: oracleKey }],
    resolver: createStaticResolver({}),
    agents: () => ({ buyer: new StrategyAgent(), seller: new StrategyAgent() }),
    maxRounds: 8,
    maxDatasetBytes: 1 << 26,
    fetch: { policy: LOCAL_POLICY, idleTimeoutMs: 10_000, budgetMs: 30_000, minBytesPerSec: 1024 },
    checks: { tmpParent, limits: { queryTimeoutMs: 20_000 } },
  };
  const out = await buildOutcome(deal, deps);
  const terms = JSON.parse(out.termsJson);
  // a third party re-derives the terms hash from the published terms
  expect(keccak256(toUtf8Bytes(out.termsJson))).to.equal(out.settlement.termsHash);
  expect(readdirSync(tmpParent), "the plaintext tmp dir is gone").to.deep.equal([]);
  return { out, terms };
}

function expectNoDeal(r: Awaited<ReturnType<typeof run>>, code: string) {
  expect(r.out.settlement.agreed).to.equal(false);
  expect(r.out.settlement.price).to.equal("0");
  expect(r.out.settlement.delivery, "no key delivered").to.equal("0x");
  expect(r.terms.reasonCode).to.equal(code);
  for (const secret of [(8n * ETH).toString(), (2n * ETH).toString()])
    expect(r.out.termsJson).to.not.include(secret);
}

describe("pipeline: the buyer's checks and the seller's datasheet (DESIGN §10)", function () {
  this.timeout(120_000);
  let good: Awaited<ReturnType<typeof dataset>>;
  before(async () => {
    good = await dataset("good.csv", csv());
  });

  it("passing checks and true claims: agreed, with the spec hash and every result bound in the terms", async () => {
    const salt = "deal-salt-0123456789";
    const keysFile = join(dir, "keys.bin");
    writeFileSync(
      keysFile,
      Buffer.concat(["1", "2", "3", "nope"].map((id) => Buffer.from(overlapKey(salt, id)))),
    );
    const { manifest, key } = await encryptFile(keysFile, `${keysFile}.enc`, { chunkSize: 4096 });
    const spec = checks()
      .rowCount({ min: 100 }, { id: "rows" })
      .column("label", "string", { id: "label" })
      .classBalance("label", 0.3, { id: "balance" })
      .stat("score", "mean", { min: 0.9 }, { id: "mean-high", required: false })
      .overlap("id", { max: 10 }, { id: "have", required: false })
      .build();
    const r = await run(
      good,
      {
        checks: spec,
        overlapKeys: {
          salt,
          location: pathToFileURL(`${keysFile}.enc`).href,
          key,
          chunkSize: 4096,
          root: manifest.root,
        },
      },
      {
        datasheet: {
          v: 1,
          rowCount: { min: 300, max: 300 },
          uniqueKey: ["id"],
          columns: [{ name: "id", type: "integer" }],
        },
      },
    );
    expect(r.out.settlement.agreed).to.equal(true);
    expect(r.out.settlement.delivery).to.not.equal("0x");
    const c = r.terms.dataFacts.checks;
    expect(c.specHash).to.equal(checkSpecHash(spec));
    expect(c.datasheet.verified).to.equal(true);
    expect(c.results.map((x: { id: string; status: string }) => [x.id, x.status])).to.deep.equal([
      ["rows", "pass"],
      ["label", "pass"],
      ["balance", "pass"],
      ["mean-high", "fail"],
      ["have", "pass"],
    ]);
    expect(c.results.find((x: { id: string }) => x.id === "have").value).to.equal(3);
  });

  it("a required check that fails: no deal naming the check", async () => {
    const spec = checks().rowCount({ min: 1_000_000 }, { id: "big-enough" }).build();
    const r = await run(good, { checks: spec }, {});
    expectNoDeal(r, "check.failed:big-enough");
    expect(r.terms.dataFacts.checks.results[0]).to.include({ id: "big-enough", status: "fail" });
  });

  it("a false datasheet claim: no deal naming the claim", async () => {
    expectNoDeal(
      await run(good, {}, { datasheet: { v: 1, rowCount: { min: 5000 } } }),
      "datasheet.row_count",
    );
    expectNoDeal(
      await run(good, {}, { datasheet: { v: 1, domains: [{ column: "label", values: ["cat", "dog"] }] } }),
      "datasheet.domains.0",
    );
  });

  it("a required check outside the seller's policy: refused before any result, no deal", async () => {
    const spec = checks().nullFraction("score", 0.1, { id: "nulls" }).build();
    const r = await run(good, { checks: spec }, { policy: { profileColumns: ["label"] } });
    expectNoDeal(r, "check.refused:nulls");
    expect(r.terms.dataFacts.checks.results[0]).to.deep.equal({
      id: "nulls",
      kind: "nullFraction",
      required: true,
      status: "refused",
      reason: "policy.column_not_profiled",
    });
  });

  it("a required check on a column that does not exist: no deal, check.unknown_column", async () => {
    const r = await run(good, { checks: checks().nullFraction("nope", 0.1, { id: "n" }).build() }, {});
    expectNoDeal(r, "check.refused:n");
    expect(r.terms.dataFacts.checks.results[0].reason).to.equal("check.unknown_column");
  });

  it("a buyer key file that is not whole keys: no deal, checks.bad_overlap_keys", async () => {
    const bad = join(dir, "bad-keys.bin");
    writeFileSync(bad, Buffer.alloc(33, 1));
    const { manifest, key } = await encryptFile(bad, `${bad}.enc`, { chunkSize: 4096 });
    const r = await run(
      good,
      {
        checks: checks().overlap("id", { max: 1 }, { id: "o" }).build(),
        overlapKeys: {
          salt: "s".repeat(16),
          location: pathToFileURL(`${bad}.enc`).href,
          key,
          chunkSize: 4096,
          root: manifest.root,
        },
      },
      {},
    );
    expectNoDeal(r, "checks.bad_overlap_keys");
  });

  it("a hostile dataset ends only its own deal; the next deal goes through", async () => {
    const badUtf8 = await dataset(
      "bad.csv",
      Buffer.concat([Buffer.from("id,label\n1,"), Buffer.from([0xff, 0xfe]), Buffer.from("\n")]),
    );
    const spec = checks().rowCount({ min: 1 }, { id: "rows" }).build();
    expectNoDeal(await run(badUtf8, { checks: spec }, {}), "engine.load_failed");
    const wide = await dataset("wide.csv", `${Array.from({ length: 5000 }, (_, i) => `c${i}`).join(",")}\n`);
    expectNoDeal(await run(wide, { checks: spec }, {}), "engine.limit");
    const next = await run(good, { checks: spec }, {});
    expect(next.out.settlement.agreed).to.equal(true);
  });

  it("deals without checks or a datasheet keep the old terms (no check report)", async () => {
    const r = await run(good, {}, {});
    expect(r.terms.dataFacts).to.not.have.property("checks");
    expect(r.terms.dataFacts.records).to.equal(300);
  });
});
