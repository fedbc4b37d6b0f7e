/**
 * The daemon's listings in SQLite (DESIGN.md §11), beside the deals in the same database: one row
 * per listing version as ListingPublished announced it (public terms and the sealed seller input),
 * when it was withdrawn, and the signed verified-listing record once it is built. Listing events
 * are applied inside the store's event transaction (Store.applyEvents calls `applyListingEvent`),
 * so they move with the cursor atomically; a reorganisation forgets what rested on the replaced
 * blocks (`rewindListings`). A record is written once per version (`saveRecord` only fills an
 * empty one), so a verification cut off by a crash runs again and is stored exactly once.
 * Only public data is stored: the record is public and the input stays sealed.
 */
import type { DatabaseSync } from "node:sqlite";
import { z } from "zod";
import { DealProofError } from "../../sdk/src/errors.ts";
import type { SignedVerifiedListing } from "../../sdk/src/verified-listing.ts";
import { LISTING_VERDICTS } from "../../sdk/src/verified-listing.ts";

/** A listing event as the listener reads it. */
export type ListingEvent =
  | {
      kind: "listing_published";
      listingId: bigint;
      seller: string;
      dataRoot: string;
      version: number;
      terms: ListingTermsRow;
      sealed: string;
      block: number;
    }
  | { kind: "listing_withdrawn"; listingId: bigint; version: number; block: number }
  | {
      kind: "listing_deal";
      id: bigint;
      listingId: bigint;
      buyer: string;
      version: number;
      escrow: string;
      deadline: number;
      sealed: string;
      block: number;
    };

/** The public terms of a version (ListingTerms), as stored. */
interface ListingTermsRow {
  mode: "negotiated" | "posted";
  postedPrice: string;
  expiresAt: number;
  chunkSize: number;
  chunkCount: number;
  byteSize: number;
  encryptionKey: string;
  metadataURI: string;
}

const LISTINGS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS listings (
    listing_id TEXT NOT NULL, version INTEGER NOT NULL, seller TEXT NOT NULL, data_root TEXT NOT NULL,
    terms TEXT NOT NULL, sealed_seller TEXT NOT NULL, block INTEGER NOT NULL,
    withdrawn_block INTEGER, record TEXT, verdict TEXT, updated_at INTEGER NOT NULL,
    PRIMARY KEY (listing_id, version)
  );
  DROP INDEX IF EXISTS listings_pending;
  CREATE INDEX IF NOT EXISTS listings_unverified ON listings(seller, block, listing_id, version)
    WHERE record IS NULL;
`;

/**
 * The oldest `perSeller` versions without a record of each seller that has some, for at most
 * `sellers` sellers after `after` (in address order), oldest first. A skip-scan over the partial
 * index listings_unverified: one seek per seller for the next seller, one bounded range per seller
 * for its rows, so verified versions cost nothing and a seller's flood costs `perSeller` rows,
 * whatever their numbers. Exported for the test that reads its query plan.
 */
export const UNVERIFIED_SQL = `
  WITH RECURSIVE sellers(seller) AS (
    SELECT (SELECT MIN(seller) FROM listings WHERE record IS NULL AND seller > :after)
    UNION ALL
    SELECT (SELECT MIN(seller) FROM listings WHERE record IS NULL AND seller > sellers.seller)
      FROM sellers WHERE sellers.seller IS NOT NULL
    LIMIT :sellers
  )
  SELECT l.* FROM sellers s JOIN listings l ON l.rowid IN (
    SELECT p.rowid FROM listings p WHERE p.record IS NULL AND p.seller = s.seller
    ORDER BY p.block, p.listing_id, p.version LIMIT :perSeller
  )
  ORDER BY l.block, l.listing_id, l.version
`;

const termsSchema = z.object({
  mode: z.enum(["negotiated", "posted"]),
  postedPrice: z.string(),
  expiresAt: z.number(),
  chunkSize: z.number(),
  chunkCount: z.number(),
  byteSize: z.number(),
  encryptionKey: z.string(),
  metadataURI: z.string(),
});

const json = <S extends z.ZodType>(schema: S) =>
  z.codec(z.string(), schema, {
    decode: (t) => JSON.parse(t) as z.input<S>,
    encode: (v) => JSON.stringify(v),
  });

const signedSchema = z.object({
  record: z.looseObject({ verdict: z.enum(LISTING_VERDICTS) }),
  recordHash: z.string(),
  signature: z.string(),
  signer: z.string(),
});

const ListingRowSchema = z.object({
  listing_id: z.string().transform((t) => BigInt(t)),
  version: z.number(),
  seller: z.string(),
  data_root: z.string(),
  terms: json(termsSchema),
  sealed_seller: z.string(),
  block: z.number(),
  withdrawn_block: z.number().nullable(),
  record: json(signedSchema).nullable(),
  verdict: z.enum(LISTING_VERDICTS).nullable(),
});
/** A listing version as stored; `record` is the signed verified-listing record once built. */
export type ListingRow = Omit<z.infer<typeof ListingRowSchema>, "record"> & {
  record: SignedVerifiedListing | null;
};

function parse(found: unknown[]): ListingRow[] {
  return found.map((r) => {
    const p = ListingRowSchema.safeParse(r);
    if (!p.success)
      throw new DealProofError(
        "store.unreadable_row",
        "the oracle's database holds a listing row it cannot read",
        {
          hint: "restore the database file or point DEALPROOF_DB at a fresh one",
        },
      );
    return p.data as ListingRow;
  });
}

/** Applies one listing event inside the caller's transaction (Store.applyEvents). */
export function applyListingEvent(db: DatabaseSync, e: ListingEvent, now: number): void {
  if (e.kind === "listing_published") {
    db.prepare(
      `INSERT OR IGNORE INTO listings (listing_id, version, seller, data_root, terms, sealed_seller, block, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      e.listingId.toString(),
      e.version,
      e.seller,
      e.dataRoot,
      JSON.stringify(e.terms),
      e.sealed,
      e.block,
      now,
    );
    return;
  }
  if (e.kind === "listing_withdrawn") {
    db.prepare(
      "UPDATE listings SET withdrawn_block = ?, updated_at = ? WHERE listing_id = ? AND withdrawn_block IS NULL",
    ).run(e.block, now, e.listingId.toString());
    return;
  }
  // a listing deal starts accepted, with the seller input of the version it was bought under
  const l = db
    .prepare("SELECT seller, data_root, sealed_seller FROM listings WHERE listing_id = ? AND version = ?")
    .get(e.listingId.toString(), e.version) as
    { seller: string; data_root: string; sealed_seller: string } | undefined;
  if (l === undefined) return; // the contract emits a deal only for a published version: never here
  db.prepare(
    `INSERT OR IGNORE INTO deals (id, buyer, seller, escrow, data_root, deadline, sealed_buyer, sealed_seller,
       created_block, accepted_block, status, updated_at, listing_id, listing_version)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'accepted', ?, ?, ?)`,
  ).run(
    e.id.toString(),
    e.buyer,
    l.seller,
    e.escrow,
    l.data_root,
    e.deadline,
    e.sealed,
    l.sealed_seller,
    e.block,
    // it is accepted when created: replicas time its takeover from this block (DESIGN §12)
    e.block,
    now,
    e.listingId.toString(),
    e.version,
  );
}

/** Forgets the listing facts above `ancestor` (inside Store.rewind's transaction). */
export function rewindListings(db: DatabaseSync, ancestor: number): void {
  db.prepare("DELETE FROM listings WHERE block > ?").run(ancestor);
  db.prepare("UPDATE listings SET withdrawn_block = NULL WHERE withdrawn_block > ?").run(ancestor);
}

/** Reads and writes the listings table of the store's database. */
export class ListingStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(LISTINGS_SCHEMA);
  }

  /**
   * Versions without a record yet (the verification queue's work), oldest first: each seller's
   * oldest `perSeller`, for at most `sellers` sellers whose address sorts after `after` (the
   * daemon asks for what its queue can hold, every tick, and moves `after` on when a batch is
   * full, so the query is bounded by the queue and not by the table, and every seller comes
   * round). A seller's later versions come once its earlier ones have records.
   */
  unverified(o: { perSeller: number; sellers?: number; after?: string }): ListingRow[] {
    return parse(
      this.#db
        .prepare(UNVERIFIED_SQL)
        .all({ perSeller: o.perSeller, sellers: o.sellers ?? 256, after: o.after ?? "" }),
    );
  }

  get(listingId: bigint, version: number): ListingRow | undefined {
    return parse(
      this.#db
        .prepare("SELECT * FROM listings WHERE listing_id = ? AND version = ?")
        .all(listingId.toString(), version),
    )[0];
  }

  /** Every version of a listing, newest first. */
  versions(listingId: bigint): ListingRow[] {
    return parse(
      this.#db
        .prepare("SELECT * FROM listings WHERE listing_id = ? ORDER BY version DESC")
        .all(listingId.toString()),
    );
  }

  /** The newest version of every listing, newest listing first, at most `limit`. */
  latest(limit = 500): ListingRow[] {
    return parse(
      this.#db
        .prepare(
          `SELECT * FROM listings l WHERE version = (SELECT MAX(version) FROM listings m WHERE m.listing_id = l.listing_id)
           ORDER BY block DESC, listing_id LIMIT ?`,
        )
        .all(limit),
    );
  }

  /** Stores a version's signed record, once: returns false when it already had one. */
  saveRecord(listingId: bigint, version: number, signed: SignedVerifiedListing): boolean {
    return (
      this.#db
        .prepare(
          "UPDATE listings SET record = ?, verdict = ?, updated_at = ? WHERE listing_id = ? AND version = ? AND record IS NULL",
        )
        .run(JSON.stringify(signed), signed.record.verdict, Date.now(), listingId.toString(), version)
        .changes === 1
    );
  }

  /** How many deals were created against a listing (its "number of sales"). */
  sales(listingId: bigint): number {
    const r = this.#db
      .prepare("SELECT COUNT(*) AS n FROM deals WHERE listing_id = ?")
      .get(listingId.toString()) as {
      n: number;
    };
    return r.n;
  }
}
