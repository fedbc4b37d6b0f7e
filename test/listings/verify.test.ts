/**
 * Verifying a listing once: a listing with a true datasheet and a DKIM-signed email is verified
 * with its profile; each way it can fail is a verdict with a stable code, never an exception — a
 * false claim (datasheet-failed), a layout other than the published one, data that cannot be
 * fetched or is not the committed data (data-unavailable), an email that does not verify
 * (identity-failed), an input sealed for another listing (unopenable). The data is fetched once
 * into the cache, so a second verification of the same root reads it from disk.
 */
import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hexlify } from "ethers";
import type { Hex } from "../../sdk/src/eip712.ts";
import { ListingCache } from "../../oracle/listings/cache.ts";
import { verifyListing, type PublishedListing, type VerifyDeps } from "../../oracle/listings/verify.ts";
import { prepareDataset, sellerEmailKit, type SellerDataset } from "../../scripts/lib/seller-kit.ts";
import { scenarioByName } from "../../scripts/lib/scenarios.ts";
import { generateX25519KeyPair } from "../../sdk/src/hpke.ts";
import { sealListingSellerInput, type SellerInput } from "../../sdk/src/inputs.ts";
import { LOCAL_POLICY } from "../../oracle/data/location-policy.ts";

const contract = "0x" + "5a".repeat(20);
const chainId = 31337n;

describe("listings: verifying a listing once", function () {
  this.timeout(120_000);
  let dir: string;
  let ds: SellerDataset;
  let deps: VerifyDeps;
  let publicKey: Uint8Array;
  let fills = 0;
  const email = sellerEmailKit("acme-data.test");
  const s = scenarioByName("vision");

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "dp-verify-"));
    ds = await prepareDataset(dir, s, { rows: 300, chunkSize: 4096 });
    const keys = await generateX25519KeyPair();
    publicKey = keys.publicKey;
    const cache = new ListingCache({
      dir: join(dir, "cache"),
      budgetBytes: 1 << 24,
      onEvent: (e) => void (e === "fill" && fills++),
    });
    await cache.open();
    deps = {
      chainId,
      contract,
      keyring: [{ epoch: 1, publicKey: hexlify(keys.publicKey) as Hex, privateKey: keys.privateKey }],
      cache,
      fetch: { policy: LOCAL_POLICY, timeoutMs: 5000 },
      resolver: email.resolver,
      tmpParent: dir,
      attempts: 2,
      retryDelayMs: 10,
    };
  });

  async function listing(
    o: {
      input?: Partial<SellerInput>;
      withoutEmail?: boolean;
      listingId?: bigint;
      sealFor?: bigint;
      layout?: Partial<PublishedListing>;
      data?: SellerDataset;
    } = {},
  ): Promise<PublishedListing> {
    const d = o.data ?? ds;
    const listingId = o.listingId ?? 1n;
    const input: SellerInput = {
      v: 1,
      floorWei: "1000",
      description: s.sellerDescription,
      dataset: { location: d.location, key: d.key, chunkSize: d.chunkSize },
      email: await email.sign(`sales@${email.domain}`, "Listing", s.sellerDescription),
      datasheet: { v: 1, rowCount: { min: 300, max: 300 } },
      ...o.input,
    };
    if (o.withoutEmail === true) delete input.email;
    const sealed = await sealListingSellerInput(
      publicKey,
      { chainId, contract, listingId: o.sealFor ?? listingId },
      input,
    );
    return {
      listingId,
      version: 1,
      seller: "0x" + "33".repeat(20),
      dataRoot: d.dataRoot,
      chunkSize: d.chunkSize,
      chunkCount: Math.ceil(d.size / d.chunkSize),
      byteSize: d.size,
      sealedSellerInput: hexlify(sealed),
      ...o.layout,
    };
  }

  it("verifies a true datasheet and the seller's DKIM domain, with the policy's profile", async () => {
    const before = fills;
    const f = await verifyListing(await listing(), deps);
    expect(f.verdict).to.equal("verified");
    expect(f.code).to.equal(null);
    expect(f.facts!.records).to.equal(300);
    expect(f.facts!.columns!.map((c) => c.name)).to.include("label");
    expect(f.datasheet!.verified).to.equal(true);
    expect(f.sellerIdentity).to.deep.equal({ domain: "acme-data.test", verified: true });
    // a second listing of the same root (another seller's id) reads the cached plaintext
    const again = await verifyListing(await listing({ listingId: 2n }), deps);
    expect(again.verdict).to.equal("verified");
    expect(fills - before).to.be.at.most(1);
  });

  it("a false datasheet claim is datasheet-failed, naming the claim", async () => {
    const f = await verifyListing(
      await listing({ input: { datasheet: { v: 1, rowCount: { min: 1000 } } } }),
      deps,
    );
    expect(f.verdict).to.equal("datasheet-failed");
    expect(f.code).to.equal("datasheet.row_count");
    expect(f.datasheet!.verified).to.equal(false);
  });

  it("a published layout that is not the data's is datasheet-failed (listing.layout_mismatch)", async () => {
    const f = await verifyListing(await listing({ layout: { byteSize: ds.size + 1 } }), deps);
    expect([f.verdict, f.code]).to.deep.equal(["datasheet-failed", "listing.layout_mismatch"]);
    const g = await verifyListing(await listing({ layout: { chunkSize: 8192 } }), deps);
    expect([g.verdict, g.code]).to.deep.equal(["datasheet-failed", "listing.layout_mismatch"]);
  });

  it("data that is gone or is not the committed data is data-unavailable", async () => {
    const gone = {
      ...ds,
      dataRoot: ("0x" + "77".repeat(32)) as `0x${string}`,
      location: "file:///nonexistent/x.enc",
    };
    const f = await verifyListing(await listing({ data: gone }), deps);
    expect(f.verdict).to.equal("data-unavailable");
    expect(f.code).to.match(/^dataset\./);
    const other = { ...ds, dataRoot: ("0x" + "78".repeat(32)) as `0x${string}` };
    const g = await verifyListing(await listing({ data: other }), deps);
    expect([g.verdict, g.code]).to.deep.equal(["data-unavailable", "dataset.root_mismatch"]);
  });

  it("an email that does not verify is identity-failed; no email is verified without a domain", async () => {
    const forged = Buffer.from("From: sales@acme-data.test\r\nSubject: x\r\n\r\nhello\r\n").toString(
      "base64",
    );
    const f = await verifyListing(await listing({ input: { email: forged } }), deps);
    expect(f.verdict).to.equal("identity-failed");
    expect(f.code).to.match(/^dkim\./);
    const g = await verifyListing(await listing({ withoutEmail: true }), deps);
    expect(g.verdict).to.equal("verified");
    expect(g.sellerIdentity).to.deep.equal({ domain: null, verified: false });
  });

  it("an input sealed for another listing is unopenable", async () => {
    const f = await verifyListing(await listing({ listingId: 5n, sealFor: 6n }), deps);
    expect(f.verdict).to.equal("unopenable");
    expect(f.code).to.match(/^sealed_input\./);
  });
});
