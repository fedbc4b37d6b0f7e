/**
 * ListingStore.unverified(): the verification queue's work, asked for every tick, is a bounded
 * query — each seller's oldest `perSeller` versions without a record, oldest first, for at most
 * `sellers` sellers after a cursor (address order) — over a partial index that holds only unverified versions: a verified version is never
 * returned and never read (10 000 of them beside a flood), a seller's flood costs its `perSeller`,
 * and a database from before the index loses the old full-record index on open.
 */
import { expect } from "chai";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { Wallet } from "ethers";
import { Store } from "../../oracle/daemon/store.ts";
import { UNVERIFIED_SQL, type ListingEvent } from "../../oracle/daemon/listing-store.ts";
import { publishedEvent } from "../fixtures/listing-events.ts";
import { buildRecord, signRecord } from "../../oracle/listings/record.ts";
import { dealProofDomain, type Hex } from "../../sdk/src/eip712.ts";

const wallet = Wallet.createRandom();
const signer = {
  address: wallet.address as Hex,
  signDigest: (d: string) => wallet.signingKey.sign(d).serialized as Hex,
};
const domain = dealProofDomain(31337n, "0x" + "ab".repeat(20));
const A = "0x" + "aa".repeat(20);
const B = "0x" + "bb".repeat(20);
const C = "0x" + "cc".repeat(20);

function verify(store: Store, listingId: bigint, seller: string, version = 1): void {
  const record = buildRecord(
    { listingId, version, seller, dataRoot: "0x" + listingId.toString(16).padStart(64, "0") },
    {
      verdict: "data-unavailable",
      code: "data.unreachable",
      facts: null,
      datasheet: null,
      sellerIdentity: { domain: null, verified: false },
    },
    1_700_000_000,
  );
  expect(store.listings.saveRecord(listingId, version, signRecord(record, domain, signer))).to.equal(true);
}

const keys = (store: Store, perSeller: number, sellers?: number, after?: string) =>
  store.listings
    .unverified({
      perSeller,
      ...(sellers === undefined ? {} : { sellers }),
      ...(after === undefined ? {} : { after }),
    })
    .map((r) => `${r.listing_id}:${r.version}@${r.block}`);

describe("oracle store: the listings the verification queue asks for (unverified)", () => {
  it("each seller's oldest perSeller without a record, oldest first; a verified one is excluded, the next comes in", () => {
    const store = new Store(":memory:");
    const events: ListingEvent[] = [];
    for (let i = 1; i <= 10; i++) events.push(publishedEvent(BigInt(100 + i), A, i)); // A floods, blocks 1..10
    events.push(
      publishedEvent(200n, B, 20),
      publishedEvent(301n, C, 5),
      publishedEvent(302n, C, 15),
      publishedEvent(303n, C, 25),
    );
    events.push(publishedEvent(101n, A, 30, 2)); // a second version of A's first listing
    store.applyEvents(events, 30);
    expect(keys(store, 2)).to.deep.equal(["101:1@1", "102:1@2", "301:1@5", "302:1@15", "200:1@20"]);
    verify(store, 101n, A);
    verify(store, 301n, C);
    expect(keys(store, 2)).to.deep.equal(["102:1@2", "103:1@3", "302:1@15", "200:1@20", "303:1@25"]);
    // at most `sellers` sellers, in address order after the cursor: A and B, then C, then none
    expect(keys(store, 2, 2)).to.deep.equal(["102:1@2", "103:1@3", "200:1@20"]);
    expect(keys(store, 2, 2, B)).to.deep.equal(["302:1@15", "303:1@25"]);
    expect(keys(store, 2, 2, C)).to.deep.equal([]);
    // every row returned has no record; verifying everything leaves nothing
    for (const r of store.listings.unverified({ perSeller: 100 }))
      verify(store, r.listing_id, r.seller, r.version);
    expect(keys(store, 100)).to.deep.equal([]);
    expect(store.listings.get(101n, 2)!.record).to.not.equal(null);
  });

  it("10 000 verified versions and a 500-version flood: the query returns the bound, through the partial index only", () => {
    const store = new Store(":memory:");
    const old: ListingEvent[] = [];
    for (let i = 0; i < 10_000; i++)
      old.push(publishedEvent(BigInt(10_000 + i), `0x${(i % 97).toString(16).padStart(40, "0")}`, 1));
    store.applyEvents(old, 1);
    // verified in one transaction (one saveRecord per row would make the setup slow, not the query)
    verify(store, 10_000n, "0x" + "0".repeat(40));
    const record = store.db.prepare("SELECT record, verdict FROM listings WHERE listing_id = '10000'").get()!;
    store.db.exec("BEGIN");
    store.db
      .prepare("UPDATE listings SET record = ?, verdict = ? WHERE record IS NULL")
      .run(record.record as string, record.verdict as string);
    store.db.exec("COMMIT");
    expect(keys(store, 10_000, 20_000)).to.deep.equal([]);
    const flood: ListingEvent[] = [];
    for (let i = 0; i < 500; i++) flood.push(publishedEvent(BigInt(50_000 + i), A, 2 + i));
    flood.push(publishedEvent(60_000n, B, 600));
    store.applyEvents(flood, 600);
    const rows = store.listings.unverified({ perSeller: 6 });
    expect(rows.map((r) => r.seller)).to.deep.equal([A, A, A, A, A, A, B]);
    expect(rows.map((r) => Number(r.listing_id))).to.deep.equal([
      50_000, 50_001, 50_002, 50_003, 50_004, 50_005, 60_000,
    ]);
    expect(rows.every((r) => r.record === null)).to.equal(true);

    // the plan reads listings only through the partial index (and rowid lookups), never a scan
    const plan = (
      store.db
        .prepare(`EXPLAIN QUERY PLAN ${UNVERIFIED_SQL}`)
        .all({ perSeller: 6, sellers: 256, after: "" }) as {
        detail: string;
      }[]
    ).map((p) => p.detail);
    const reads = plan.filter((d) => /\b(SCAN|SEARCH) (listings|l|p)\b/.test(d));
    expect(reads.length, plan.join("\n")).to.be.greaterThan(2);
    for (const d of reads)
      expect(d, plan.join("\n")).to.match(/USING INDEX listings_unverified|INTEGER PRIMARY KEY/);
  });

  it("a database with the old full-record index loses it on open", () => {
    const dir = mkdtempSync(join(tmpdir(), "listing-store-"));
    try {
      const path = join(dir, "store.sqlite");
      new Store(path).close();
      const db = new DatabaseSync(path);
      db.exec("DROP INDEX listings_unverified; CREATE INDEX listings_pending ON listings(record);");
      db.close();
      const store = new Store(path);
      store.close();
      const check = new DatabaseSync(path);
      const names = (
        check
          .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'listings'")
          .all() as {
          name: string;
        }[]
      ).map((r) => r.name);
      check.close();
      expect(names).to.include("listings_unverified");
      expect(names).to.not.include("listings_pending");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
