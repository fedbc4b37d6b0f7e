/**
 * The verified-plaintext cache: a root is fetched once and then served from disk, re-verified by
 * its root on every read (a corrupted entry is fetched again), least-recently-used entries leave
 * first within the budget (a seller over its share of it first, so one seller's flood evicts its
 * own), an entry in use is never evicted, an entry larger than the budget goes
 * when released, entries survive a restart, and a fill that fails or is cut off leaves nothing that
 * is trusted (a half-written `.part-*` dir is swept at open).
 */
import { expect } from "chai";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListingCache, type Fill } from "../../oracle/listings/cache.ts";
import { fetchAndVerifyDataset } from "../../oracle/data/dataset.ts";
import { prepareDataset, type SellerDataset } from "../../scripts/lib/seller-kit.ts";
import { scenarioByName } from "../../scripts/lib/scenarios.ts";
import { rejects } from "../helpers.ts";

describe("listings: the verified-plaintext cache", function () {
  this.timeout(60_000);
  let dir: string;
  let a: SellerDataset;
  let b: SellerDataset;
  let c: SellerDataset;
  const fetches = new Map<string, number>();
  const fillOf =
    (ds: SellerDataset): Fill =>
    (write) => {
      fetches.set(ds.dataRoot, (fetches.get(ds.dataRoot) ?? 0) + 1);
      return fetchAndVerifyDataset(ds, ds.dataRoot, { sink: write });
    };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "dp-cache-"));
    const s = scenarioByName("vision");
    a = await prepareDataset(dir, s, { rows: 400, tag: "a", chunkSize: 4096 });
    b = await prepareDataset(dir, s, { rows: 500, tag: "b", chunkSize: 4096 });
    c = await prepareDataset(dir, s, { rows: 600, tag: "c", chunkSize: 4096 });
  });
  beforeEach(() => fetches.clear());

  const fresh = async (budgetBytes: number, name = `c${Math.random()}`) => {
    const cache = new ListingCache({ dir: join(dir, name), budgetBytes });
    await cache.open();
    return cache;
  };

  it("fetches a root once, then serves the same verified plaintext from disk (also after a restart)", async () => {
    const cache = await fresh(1 << 20, "restart");
    const first = await cache.acquire(a.dataRoot, fillOf(a));
    expect(first.hit).to.equal(false);
    expect(readFileSync(first.path)).to.deep.equal(readFileSync(a.plainPath));
    await first.release();
    for (let i = 0; i < 2; i++) {
      const again = await cache.acquire(a.dataRoot, fillOf(a));
      expect(again.hit).to.equal(true);
      expect(again.verified.size).to.equal(a.size);
      await again.release();
    }
    const reopened = await fresh(1 << 20, "restart");
    const after = await reopened.acquire(a.dataRoot, fillOf(a));
    expect(after.hit).to.equal(true);
    await after.release();
    expect(fetches.get(a.dataRoot)).to.equal(1);
  });

  it("two users at once share one fetch", async () => {
    const cache = await fresh(1 << 20);
    const [x, y] = await Promise.all([
      cache.acquire(b.dataRoot, fillOf(b)),
      cache.acquire(b.dataRoot, fillOf(b)),
    ]);
    expect([x.hit, y.hit].sort()).to.deep.equal([false, true]);
    await x.release();
    await y.release();
    expect(fetches.get(b.dataRoot)).to.equal(1);
  });

  it("re-verifies on read: a corrupted or truncated entry is dropped and fetched again", async () => {
    const cache = await fresh(1 << 20, "corrupt");
    const e = await cache.acquire(a.dataRoot, fillOf(a));
    await e.release();
    const bytes = readFileSync(e.path);
    bytes[10] = bytes[10]! ^ 1;
    writeFileSync(e.path, bytes);
    const again = await cache.acquire(a.dataRoot, fillOf(a));
    expect(again.hit).to.equal(false);
    expect(readFileSync(again.path)).to.deep.equal(readFileSync(a.plainPath));
    await again.release();
    writeFileSync(e.path, bytes.subarray(0, 100));
    const third = await cache.acquire(a.dataRoot, fillOf(a));
    expect(third.hit).to.equal(false);
    await third.release();
    expect(fetches.get(a.dataRoot)).to.equal(3);
  });

  it("evicts the least recently used within the budget, never an entry in use", async () => {
    const budget = a.size + b.size + 10; // room for two
    const cache = await fresh(budget);
    for (const ds of [a, b]) await (await cache.acquire(ds.dataRoot, fillOf(ds))).release();
    await (await cache.acquire(a.dataRoot, fillOf(a))).release(); // a is now newer than b
    const held = await cache.acquire(a.dataRoot, fillOf(a));
    await (await cache.acquire(c.dataRoot, fillOf(c))).release(); // b goes, a is in use anyway
    expect(cache.has(a.dataRoot)).to.equal(true);
    expect(cache.has(b.dataRoot)).to.equal(false);
    expect(cache.usedBytes).to.be.at.most(budget);
    await held.release();
    await (await cache.acquire(b.dataRoot, fillOf(b))).release(); // evicted: fetched again
    expect(fetches.get(b.dataRoot)).to.equal(2);
    expect(fetches.get(a.dataRoot)).to.equal(1);
  });

  it("a seller's flood of listings evicts its own plaintext, not another seller's (also after a restart)", async () => {
    // found in review: plain LRU let one seller publishing many listings push every other
    // seller's verified plaintext out, so their next deals downloaded again
    const s = scenarioByName("vision");
    const flood = [b, c];
    for (const tag of ["d", "e", "f"])
      flood.push(await prepareDataset(dir, s, { rows: 450, tag: `flood-${tag}`, chunkSize: 4096 }));
    const other = "0x" + "b".repeat(40);
    const flooder = "0x" + "A".repeat(40); // mixed case: owners compare lowercase
    const budget = a.size + b.size + c.size + 10; // room for three
    const cache = await fresh(budget, "fair");
    await (await cache.acquire(a.dataRoot, fillOf(a), other)).release(); // the oldest entry
    for (const ds of flood.slice(0, 3))
      await (await cache.acquire(ds.dataRoot, fillOf(ds), flooder)).release();
    const reopened = await fresh(budget, "fair"); // owners are kept on disk
    for (const ds of flood.slice(3))
      await (await reopened.acquire(ds.dataRoot, fillOf(ds), flooder)).release();
    expect(reopened.usedBytes).to.be.at.most(budget);
    expect(reopened.has(a.dataRoot), "the other seller's entry stays").to.equal(true);
    expect(flood.filter((ds) => reopened.has(ds.dataRoot)).length).to.be.at.least(1);
    expect(reopened.has(flood[0]!.dataRoot), "the flooder's oldest went first").to.equal(false);
    const hit = await reopened.acquire(a.dataRoot, fillOf(a), other);
    expect(hit.hit).to.equal(true);
    await hit.release();
    expect(fetches.get(a.dataRoot)).to.equal(1);
    // alone, a seller still uses the whole budget (LRU among its own)
    const alone = await fresh(budget, "alone");
    for (const ds of [a, b, c]) await (await alone.acquire(ds.dataRoot, fillOf(ds), flooder)).release();
    expect([a, b, c].every((ds) => alone.has(ds.dataRoot))).to.equal(true);
  });

  it("an entry larger than the whole budget serves its user and is removed on release", async () => {
    const cache = await fresh(100);
    const e = await cache.acquire(a.dataRoot, fillOf(a));
    expect(existsSync(e.path)).to.equal(true);
    await e.release();
    expect(existsSync(e.path)).to.equal(false);
    expect(cache.usedBytes).to.equal(0);
  });

  it("a fill that fails leaves no entry, and a half-written fill left by a crash is swept, never trusted", async () => {
    const cache = await fresh(1 << 20, "crash");
    const wrong = { ...a, dataRoot: b.dataRoot }; // a's bytes under b's root: the fill refuses it
    await rejects(cache.acquire(b.dataRoot, fillOf(wrong)), /Merkle root/);
    expect(cache.has(b.dataRoot)).to.equal(false);
    expect(readdirSync(join(dir, "crash"))).to.deep.equal([]);
    // what a SIGKILL mid-fill leaves: a part dir, complete or not
    const part = join(dir, "crash", ".part-x1");
    mkdirSync(part);
    writeFileSync(join(part, "data"), readFileSync(a.plainPath).subarray(0, 50));
    // and an entry dir without its meta (not an entry)
    mkdirSync(join(dir, "crash", a.dataRoot.toLowerCase()));
    writeFileSync(join(dir, "crash", a.dataRoot.toLowerCase(), "data"), "junk");
    const reopened = await fresh(1 << 20, "crash");
    expect(readdirSync(join(dir, "crash"))).to.deep.equal([]);
    expect(reopened.has(a.dataRoot)).to.equal(false);
    const e = await reopened.acquire(a.dataRoot, fillOf(a));
    expect(e.hit).to.equal(false);
    await e.release();
  });
});
