/**
 * The cache of verified plaintext, keyed by dataset root (DESIGN.md §11), so repeat deals on a
 * listing do not download its dataset again. It lives in the daemon's data dir (the CVM's
 * encrypted disk), mode 0700, one directory per root holding `data` (the plaintext) and
 * `meta.json` (its chunk size and size), within a disk budget, least-recently-used first out.
 * Invariants:
 * - nothing is trusted unverified: an entry's plaintext is re-hashed to its Merkle root on every
 *   read, and one that does not match (corrupt, truncated) is removed and fetched again;
 * - writes are atomic: an entry is filled in a `.part-*` directory (the fill verifies the root as it
 *   streams, fetchAndVerifyDataset) and renamed to its root's name only once complete and synced, so
 *   a crash halfway leaves a `.part-*` directory, never an entry; `open()` sweeps those away;
 * - an entry in use (acquired, not released) is never evicted; an entry larger than the whole
 *   budget is served to its one user and removed when released;
 * - fair across sellers: an entry records the seller it was filled for, and while some seller
 *   holds more than its share of the budget (budget ÷ sellers with entries) its own least recently
 *   used entries go first, so one seller's flood of listings evicts its own plaintext, not the
 *   other sellers' (whose next deals would otherwise download again).
 */
import { createReadStream } from "node:fs";
import { chmod, mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { commitStream, fetchAndVerifyDataset } from "../data/dataset.ts";
import type { DatasetLocator, VerifiedDataset } from "../data/dataset.ts";
import type { SourceOptions } from "../data/source.ts";

const PART_PREFIX = ".part-";
const ROOT_NAME = /^0x[0-9a-f]{64}$/;
const OWNER = /^0x[0-9a-f]{40}$/;

/** A cached dataset handed to one user: read `path` until `release()`. */
export interface CachedDataset {
  path: string;
  verified: VerifiedDataset;
  /** Whether it came from the cache (false: it was just fetched). */
  hit: boolean;
  release: () => Promise<void>;
}

/** Streams a dataset's verified plaintext into `write` and returns its layout; throws when the data is bad. */
export type Fill = (write: (plain: Buffer) => Promise<void>) => Promise<VerifiedDataset>;

/** The usual fill: fetch `locator`, decrypt, and verify the plaintext against `root` as it streams. */
export function fetchFill(
  locator: DatasetLocator,
  root: string,
  fetch: SourceOptions & { minBytesPerSec?: number },
): Fill {
  return (write) => fetchAndVerifyDataset(locator, root, { ...fetch, sink: write });
}

interface Entry {
  bytes: number;
  /** The seller it was filled for (lowercase address), when known. */
  owner: string | undefined;
  lastUsed: number;
  pins: number;
  /** Set when it must go once unpinned (too large for the budget, or found corrupt). */
  doomed: boolean;
}

export interface ListingCacheOptions {
  dir: string;
  budgetBytes: number;
  /** Counts for tests and /health: reads served from disk, fills, entries removed. */
  onEvent?: (e: "hit" | "fill" | "evict" | "corrupt") => void;
}

export class ListingCache {
  readonly #o: ListingCacheOptions;
  readonly #entries = new Map<string, Entry>();
  /** One fill per root at a time: a second user waits for the first. */
  readonly #filling = new Map<string, Promise<unknown>>();
  #clock = 0;

  constructor(o: ListingCacheOptions) {
    this.#o = o;
  }

  /** Makes the dir (0700), removes half-written fills a crash left, and indexes the entries. */
  async open(): Promise<void> {
    await mkdir(this.#o.dir, { recursive: true, mode: 0o700 });
    await chmod(this.#o.dir, 0o700);
    for (const name of await readdir(this.#o.dir)) {
      const p = join(this.#o.dir, name);
      if (!ROOT_NAME.test(name)) {
        if (name.startsWith(PART_PREFIX)) await rm(p, { recursive: true, force: true });
        continue;
      }
      const meta = await this.#meta(name);
      if (meta === undefined) {
        await rm(p, { recursive: true, force: true });
        continue;
      }
      const m = await stat(join(p, "meta.json"));
      this.#entries.set(name, {
        bytes: meta.size,
        owner: meta.owner,
        lastUsed: m.mtimeMs,
        pins: 0,
        doomed: false,
      });
    }
    this.#clock = Math.max(Date.now(), ...[...this.#entries.values()].map((e) => e.lastUsed));
  }

  /** Bytes held on disk by complete entries. */
  get usedBytes(): number {
    let n = 0;
    for (const e of this.#entries.values()) n += e.bytes;
    return n;
  }

  /** Whether `root` has a complete entry (not re-verified: `acquire` does that). */
  has(root: string): boolean {
    return this.#entries.has(root.toLowerCase());
  }

  async #meta(
    root: string,
  ): Promise<{ chunkSize: number; size: number; owner: string | undefined } | undefined> {
    try {
      const m = JSON.parse(await readFile(join(this.#o.dir, root, "meta.json"), "utf8")) as unknown;
      const { chunkSize, size, owner } = m as { chunkSize?: unknown; size?: unknown; owner?: unknown };
      if (Number.isSafeInteger(chunkSize) && Number.isSafeInteger(size))
        return {
          chunkSize: chunkSize as number,
          size: size as number,
          owner: typeof owner === "string" && OWNER.test(owner) ? owner : undefined,
        };
    } catch {
      // absent or unreadable: not an entry
    }
    return undefined;
  }

  /**
   * The verified plaintext of `root`: from the cache when its entry re-verifies, else filled by
   * `fill` (which fetches and verifies it) and kept within the budget, counted against `seller`'s
   * share (the listing's seller). Throws what `fill` throws.
   */
  async acquire(root: string, fill: Fill, seller?: string): Promise<CachedDataset> {
    const key = root.toLowerCase();
    const owner = seller?.toLowerCase();
    for (;;) {
      const busy = this.#filling.get(key);
      if (busy === undefined) break;
      await busy.catch(() => undefined);
    }
    const work = this.#acquire(key, fill, owner);
    this.#filling.set(key, work);
    try {
      return await work;
    } finally {
      this.#filling.delete(key);
    }
  }

  async #acquire(root: string, fill: Fill, owner: string | undefined): Promise<CachedDataset> {
    const entry = this.#entries.get(root);
    if (entry !== undefined && !entry.doomed) {
      entry.pins++;
      const verified = await this.#reverify(root);
      if (verified !== undefined) {
        this.#touch(root, entry);
        this.#o.onEvent?.("hit");
        return this.#handout(root, entry, verified, true);
      }
      entry.pins--;
      this.#o.onEvent?.("corrupt");
      await this.#drop(root, entry);
    }
    return this.#fill(root, fill, owner);
  }

  /** The entry's layout when its plaintext still hashes to `root`, else undefined. */
  async #reverify(root: string): Promise<VerifiedDataset | undefined> {
    const meta = await this.#meta(root);
    if (meta === undefined) return undefined;
    try {
      const c = await commitStream(createReadStream(join(this.#o.dir, root, "data")), meta.chunkSize);
      if (c.root !== root || c.size !== meta.size) return undefined;
      return { size: c.size, chunkCount: c.chunkCount, chunkSize: c.chunkSize };
    } catch {
      return undefined;
    }
  }

  async #fill(root: string, fill: Fill, owner: string | undefined): Promise<CachedDataset> {
    const part = await mkdtemp(join(this.#o.dir, PART_PREFIX));
    try {
      await chmod(part, 0o700);
      const fh = await open(join(part, "data"), "w", 0o600);
      let verified: VerifiedDataset;
      try {
        verified = await fill(async (b) => {
          await fh.write(b);
        });
        await fh.sync();
      } finally {
        await fh.close();
      }
      const meta = await open(join(part, "meta.json"), "w", 0o600);
      try {
        await meta.writeFile(JSON.stringify({ chunkSize: verified.chunkSize, size: verified.size, owner }));
        await meta.sync();
      } finally {
        await meta.close();
      }
      await rm(join(this.#o.dir, root), { recursive: true, force: true });
      await rename(part, join(this.#o.dir, root));
      await this.#syncDir();
      const entry: Entry = { bytes: verified.size, owner, lastUsed: 0, pins: 1, doomed: false };
      this.#entries.set(root, entry);
      this.#touch(root, entry);
      this.#o.onEvent?.("fill");
      if (verified.size > this.#o.budgetBytes) entry.doomed = true;
      await this.#evict();
      return this.#handout(root, entry, verified, false);
    } catch (e) {
      await rm(part, { recursive: true, force: true });
      throw e;
    }
  }

  async #syncDir(): Promise<void> {
    const d = await open(this.#o.dir, "r");
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  #handout(root: string, entry: Entry, verified: VerifiedDataset, hit: boolean): CachedDataset {
    let released = false;
    return {
      path: join(this.#o.dir, root, "data"),
      verified,
      hit,
      release: async () => {
        if (released) return;
        released = true;
        entry.pins--;
        if (entry.doomed && entry.pins === 0) await this.#drop(root, entry);
        await this.#evict();
      },
    };
  }

  #touch(root: string, entry: Entry): void {
    entry.lastUsed = ++this.#clock;
    // persisted as the meta file's mtime, so the order survives a restart (best effort)
    const t = new Date(entry.lastUsed);
    utimes(join(this.#o.dir, root, "meta.json"), t, t).catch(() => undefined);
  }

  async #drop(root: string, entry: Entry): Promise<void> {
    if (this.#entries.get(root) !== entry) return;
    if (entry.pins > 0) {
      entry.doomed = true;
      return;
    }
    this.#entries.delete(root);
    await rm(join(this.#o.dir, root), { recursive: true, force: true });
  }

  /**
   * Removes unpinned entries until the cache is within its budget: the least recently used of a
   * seller over its share first (budget ÷ sellers with entries; entries of no known seller count
   * as one), else the least recently used of all.
   */
  async #evict(): Promise<void> {
    while (this.usedBytes > this.#o.budgetBytes) {
      const victim = this.#victim();
      if (victim === undefined) return; // everything left is in use
      this.#o.onEvent?.("evict");
      await this.#drop(victim[0], victim[1]);
    }
  }

  #victim(): [string, Entry] | undefined {
    const held = new Map<string | undefined, number>();
    for (const e of this.#entries.values()) held.set(e.owner, (held.get(e.owner) ?? 0) + e.bytes);
    const share = this.#o.budgetBytes / held.size;
    let over: [string, Entry] | undefined;
    let any: [string, Entry] | undefined;
    for (const [root, e] of this.#entries) {
      if (e.pins > 0) continue;
      if (any === undefined || e.lastUsed < any[1].lastUsed) any = [root, e];
      if (held.get(e.owner)! > share && (over === undefined || e.lastUsed < over[1].lastUsed))
        over = [root, e];
    }
    return over ?? any;
  }
}
