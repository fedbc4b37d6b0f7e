/**
 * The daemon's durable state in SQLite (node:sqlite): the event cursor, each deal's progress, and
 * the outbox of signed transactions. Only public data is stored (on-chain fields, sealed
 * ciphertexts, the built outcome, signed transactions, which are public once broadcast); opened
 * private inputs live in memory only and are re-opened from the ciphertexts after a restart.
 * Invariants: a signed transaction is stored, with the nonce counter moved past it and its deal
 * marked submitted, in one SQLite transaction before it is broadcast, so every nonce below
 * `next_nonce` that the chain has not consumed belongs to a stored transaction (no gaps, no
 * second signature for a deal whose transaction may still be mined). Every row leaves the store
 * parsed by its schema (the outcome's JSON decoded and validated in one place, `outcomeColumn`),
 * so callers get typed values or a clear refusal, never a re-cast string. A deal id is a bigint
 * (DealId) everywhere outside; SQLite keeps it as decimal text (a uint256 does not fit an INTEGER),
 * converted here only: `dealIdColumn` when a row is read, `key` when an id is bound.
 * Reorganisations (DESIGN.md §9): the cursor is a block number *and* its hash, with the hashes of
 * the recent blocks the listener scanned (`blocks`); each terminal fact learnt from the chain keeps
 * the block it rests on (a receipt's block, the block a deal's state was read at), so `rewind`
 * can undo, atomically, everything a reorganisation replaced: the cursor goes back to the common
 * ancestor, our transactions mined above it are pending again, and deals settled or closed above
 * it are back in work. Listings (DESIGN §11) live in the same database (listing-store.ts): their
 * events are applied in the same transaction as the cursor, and a listing deal is stored accepted
 * from its creation with the sealed input of the version it was bought under. Schema changes are additive (new tables, new nullable columns), so a
 * database file written by an older daemon opens unchanged.
 */
import { DatabaseSync } from "node:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { DealProofError } from "../../sdk/src/errors.ts";
import { applyListingEvent, ListingStore, rewindListings, type ListingEvent } from "./listing-store.ts";

/** A deal's id, as DealProof's uint256: one form from the listener to the submitter. */
export type DealId = bigint;

/** The id columns: decimal text in SQLite (and in the outcome's JSON), a DealId in a row. */
const dealIdColumn = z.codec(z.string().regex(/^(0|[1-9][0-9]*)$/), z.bigint(), {
  decode: (text) => BigInt(text),
  encode: (id) => id.toString(),
});

/** A DealId as SQLite binds it (the id columns' text). */
const key = (id: DealId): string => id.toString();

const DEAL_STATUSES = ["open", "accepted", "outcome_built", "submitted", "settled", "closed"] as const;

const StoredOutcomeSchema = z.object({
  settlement: z.object({
    dealId: dealIdColumn,
    agreed: z.boolean(),
    price: z.string(),
    termsHash: z.string(),
    dataRoot: z.string(),
    transcriptHash: z.string(),
    delivery: z.string(),
  }),
  termsJson: z.string(),
  transcriptJson: z.string(),
  reason: z.string(),
});
/** The outcome built for a deal: the settlement as sent on-chain, its terms and transcript. */
export type StoredOutcome = z.infer<typeof StoredOutcomeSchema>;

/** The `outcome` column: JSON text in SQLite, a validated StoredOutcome in a row. */
const outcomeColumn = z.codec(z.string(), StoredOutcomeSchema, {
  decode: (text, ctx) => {
    try {
      return JSON.parse(text); // validated by the codec's output schema
    } catch {
      // the parser's message quotes the text (terms, transcript): keep only that it is not JSON
      ctx.issues.push({ code: "invalid_format", format: "json", input: "", message: "not JSON" });
      return z.NEVER;
    }
  },
  encode: (outcome) => JSON.stringify(outcome),
});

const DealRowSchema = z.object({
  id: dealIdColumn,
  buyer: z.string(),
  seller: z.string(),
  escrow: z.string(),
  data_root: z.string(),
  deadline: z.number(),
  sealed_buyer: z.string(),
  sealed_seller: z.string().nullable(),
  created_block: z.number(),
  status: z.enum(DEAL_STATUSES),
  /** The built outcome (parsed and validated), null until it is built. */
  outcome: outcomeColumn.nullable(),
  tx_hash: z.string().nullable(),
  attempts: z.number(),
  last_error: z.string().nullable(),
  /** The code of the last failure (e.g. fetch_failed, rpc_timeout, settlement_refused). */
  last_code: z.string().nullable(),
  gas_used: z.string().nullable(),
  updated_at: z.number(),
  /** "oracle" when our own transaction settled it, "other" when someone else's did. */
  settled_by: z.enum(["oracle", "other"]).nullable(),
  /** ms since epoch before which the deal is not retried (backoff after a failed attempt). */
  next_attempt_at: z.number(),
  /** The block its settled/closed state rests on (undone by a reorg at or below it); null otherwise. */
  final_block: z.number().nullable(),
  /** The block of its DealAccepted event (replicas time takeovers from it); null before, or if older than the column. */
  accepted_block: z.number().nullable(),
  /** A deal created against a listing (DESIGN §11): the listing and the version bought under; null otherwise. */
  listing_id: dealIdColumn.nullable().optional(),
  listing_version: z.number().nullable().optional(),
});
/** A deal as the store returns it: typed, with its outcome parsed. */
export type DealRow = z.infer<typeof DealRowSchema>;

const TxRowSchema = z.object({
  hash: z.string(),
  /** What it does: "settle" (with deal_id) or "register". */
  purpose: z.string(),
  deal_id: dealIdColumn.nullable(),
  nonce: z.number(),
  raw: z.string(),
  max_fee: z.string(),
  priority_fee: z.string(),
  gas_limit: z.string(),
  to_addr: z.string(),
  data: z.string(),
  value: z.string(),
  created_at: z.number(),
  /**
   * pending until its receipt is at the confirmation depth (mined) or its nonce went to another
   * transaction at that depth (dropped).
   */
  state: z.enum(["pending", "mined", "dropped"]),
  /** The block of its receipt once mined (a reorg replacing that block makes it pending again). */
  mined_block: z.number().nullable(),
});
/** A signed transaction of ours, stored before broadcast. */
export type TxRow = z.infer<typeof TxRowSchema>;

const MetaRowSchema = z.object({ value: z.string() });
const BlockRowSchema = z.object({ number: z.number(), hash: z.string() });
const CountRowSchema = z.object({ status: z.string(), n: z.number() });

/** What is wrong with a row, by field path and rule only: never a value (terms, transcripts). */
function rowProblem(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(row)"}: ${i.code}`).join("; ");
}

/**
 * Rows as SQLite returns them, parsed by `schema`: a row that does not fit is a corrupt or foreign
 * database, refused with what is wrong rather than handed on half-typed.
 */
function rows<S extends z.ZodType>(schema: S, found: unknown[]): z.output<S>[] {
  return found.map((r) => {
    const parsed = schema.safeParse(r);
    if (parsed.success) return parsed.data;
    throw new DealProofError(
      "store.unreadable_row",
      `the oracle's database holds a row it cannot read (${rowProblem(parsed.error)})`,
      { hint: "restore the database file or point DEALPROOF_DB at a fresh one" },
    );
  });
}
function row<S extends z.ZodType>(schema: S, found: unknown): z.output<S> | undefined {
  return found === undefined ? undefined : rows(schema, [found])[0];
}

export class Store {
  readonly db: DatabaseSync;
  /** The listings table (listing-store.ts), in the same database and event transactions. */
  readonly listings: ListingStore;

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS deals (
        id TEXT PRIMARY KEY, buyer TEXT NOT NULL, seller TEXT NOT NULL, escrow TEXT NOT NULL,
        data_root TEXT NOT NULL, deadline INTEGER NOT NULL, sealed_buyer TEXT NOT NULL, sealed_seller TEXT,
        created_block INTEGER NOT NULL, status TEXT NOT NULL, outcome TEXT, tx_hash TEXT,
        attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, gas_used TEXT, updated_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS deals_status ON deals(status);
      CREATE TABLE IF NOT EXISTS txs (
        hash TEXT PRIMARY KEY, purpose TEXT NOT NULL, deal_id TEXT, nonce INTEGER NOT NULL,
        raw TEXT NOT NULL, max_fee TEXT NOT NULL, priority_fee TEXT NOT NULL, gas_limit TEXT NOT NULL,
        to_addr TEXT NOT NULL, data TEXT NOT NULL, value TEXT NOT NULL, created_at INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
      );
      CREATE INDEX IF NOT EXISTS txs_nonce ON txs(nonce);
      CREATE INDEX IF NOT EXISTS txs_deal ON txs(deal_id);
      CREATE TABLE IF NOT EXISTS blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL);
    `);
    const cols = new Set(
      (this.db.prepare("PRAGMA table_info(deals)").all() as { name: string }[]).map((c) => c.name),
    );
    if (!cols.has("settled_by")) this.db.exec("ALTER TABLE deals ADD COLUMN settled_by TEXT");
    if (!cols.has("last_code")) this.db.exec("ALTER TABLE deals ADD COLUMN last_code TEXT");
    if (!cols.has("next_attempt_at"))
      this.db.exec("ALTER TABLE deals ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0");
    if (!cols.has("final_block")) this.db.exec("ALTER TABLE deals ADD COLUMN final_block INTEGER");
    if (!cols.has("accepted_block")) this.db.exec("ALTER TABLE deals ADD COLUMN accepted_block INTEGER");
    if (!cols.has("listing_id")) this.db.exec("ALTER TABLE deals ADD COLUMN listing_id TEXT");
    if (!cols.has("listing_version")) this.db.exec("ALTER TABLE deals ADD COLUMN listing_version INTEGER");
    this.listings = new ListingStore(this.db);
    const txCols = new Set(
      (this.db.prepare("PRAGMA table_info(txs)").all() as { name: string }[]).map((c) => c.name),
    );
    if (!txCols.has("mined_block")) this.db.exec("ALTER TABLE txs ADD COLUMN mined_block INTEGER");
  }

  #tx<T>(f: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const r = f();
      this.db.exec("COMMIT");
      return r;
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  /** The next nonce the outbox will use (undefined before the first transaction). */
  nextNonce(): number | undefined {
    const r = row(MetaRowSchema, this.db.prepare("SELECT value FROM meta WHERE key = 'next_nonce'").get());
    return r === undefined ? undefined : Number(r.value);
  }

  setNextNonce(n: number): void {
    this.db
      .prepare(
        "INSERT INTO meta (key, value) VALUES ('next_nonce', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      )
      .run(String(n));
  }

  /**
   * Stores a signed transaction before its broadcast: the row, the nonce counter moved past it
   * (a fresh nonce) and, for a settlement, the deal marked submitted with its hash — atomically.
   */
  recordSignedTx(tx: Omit<TxRow, "state" | "created_at" | "mined_block">): void {
    this.#tx(() => {
      this.db
        .prepare(
          `INSERT INTO txs (hash, purpose, deal_id, nonce, raw, max_fee, priority_fee, gas_limit, to_addr, data, value, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          tx.hash,
          tx.purpose,
          tx.deal_id === null ? null : key(tx.deal_id),
          tx.nonce,
          tx.raw,
          tx.max_fee,
          tx.priority_fee,
          tx.gas_limit,
          tx.to_addr,
          tx.data,
          tx.value,
          Date.now(),
        );
      if ((this.nextNonce() ?? 0) <= tx.nonce) this.setNextNonce(tx.nonce + 1);
      if (tx.deal_id !== null)
        this.db
          .prepare("UPDATE deals SET tx_hash = ?, status = 'submitted', updated_at = ? WHERE id = ?")
          .run(tx.hash, Date.now(), key(tx.deal_id));
    });
  }

  /** Every transaction of ours with this nonce (the original and its fee-bumped replacements). */
  txsWithNonce(nonce: number): TxRow[] {
    return rows(
      TxRowSchema,
      this.db.prepare("SELECT * FROM txs WHERE nonce = ? ORDER BY created_at, rowid").all(nonce),
    );
  }

  txByHash(hash: string): TxRow | undefined {
    return row(TxRowSchema, this.db.prepare("SELECT * FROM txs WHERE hash = ?").get(hash));
  }

  /** The newest transaction per pending nonce, lowest nonce first. */
  pendingTxs(): TxRow[] {
    return rows(
      TxRowSchema,
      this.db
        .prepare(
          `SELECT * FROM txs t WHERE state = 'pending' AND rowid = (SELECT MAX(rowid) FROM txs u WHERE u.nonce = t.nonce)
         ORDER BY nonce`,
        )
        .all(),
    );
  }

  /**
   * Marks every transaction of this nonce: one was mined (its receipt in `minedBlock`, at the
   * confirmation depth) or the nonce went to another transaction.
   */
  settleNonce(nonce: number, state: "mined" | "dropped", minedBlock: number | null = null): void {
    this.db
      .prepare("UPDATE txs SET state = ?, mined_block = ? WHERE nonce = ?")
      .run(state, state === "mined" ? minedBlock : null, nonce);
  }

  /** All stored transactions (the fault benchmark counts them). */
  allTxs(): TxRow[] {
    return rows(TxRowSchema, this.db.prepare("SELECT * FROM txs ORDER BY nonce, rowid").all());
  }

  close(): void {
    this.db.close();
  }

  cursor(): number | undefined {
    const r = row(MetaRowSchema, this.db.prepare("SELECT value FROM meta WHERE key = 'cursor'").get());
    return r === undefined ? undefined : Number(r.value);
  }

  /**
   * Settlement transactions of ours that were mined and reverted (with replicas: another settled
   * the deal first). Counted once each, by `countWastedTx`.
   */
  wastedTxs(): number {
    const r = row(MetaRowSchema, this.db.prepare("SELECT value FROM meta WHERE key = 'wasted_txs'").get());
    return r === undefined ? 0 : Number(r.value);
  }

  countWastedTx(): void {
    this.db
      .prepare(
        "INSERT INTO meta (key, value) VALUES ('wasted_txs', '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
      )
      .run();
  }

  /** How many rewinds this database has seen: a fact read from the chain across one is stale. */
  reorgEpoch(): number {
    const r = row(MetaRowSchema, this.db.prepare("SELECT value FROM meta WHERE key = 'reorgs'").get());
    return r === undefined ? 0 : Number(r.value);
  }

  /** The hashes of the scanned blocks kept for reorg detection, newest first. */
  scannedBlocks(): { number: number; hash: string }[] {
    return rows(
      BlockRowSchema,
      this.db.prepare("SELECT number, hash FROM blocks ORDER BY number DESC").all(),
    );
  }

  /**
   * Undoes what a reorganisation replaced: every block above `ancestor` (the newest block both
   * branches share). Atomically: the cursor goes back to `ancestor` and the block hashes above it
   * are forgotten; our transactions mined above it are pending again (re-read from the chain:
   * kept, re-broadcast or dropped); deals settled or closed on a fact above it are back in work
   * (submitted when our transaction settled them, else to be checked and submitted again).
   * Returns how many transactions and deals it reopened.
   */
  rewind(ancestor: number): { txs: number; deals: number } {
    return this.#tx(() => {
      this.db
        .prepare(
          "INSERT INTO meta (key, value) VALUES ('reorgs', '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
        )
        .run();
      this.db.prepare("DELETE FROM blocks WHERE number > ?").run(ancestor);
      rewindListings(this.db, ancestor);
      this.#setCursor(ancestor);
      const txs = this.db
        .prepare(
          "UPDATE txs SET state = 'pending', mined_block = NULL WHERE state = 'mined' AND mined_block > ?",
        )
        .run(ancestor).changes;
      const deals = this.db
        .prepare(
          `UPDATE deals SET
             status = CASE
               WHEN status = 'settled' AND tx_hash IN (SELECT hash FROM txs WHERE state = 'pending') THEN 'submitted'
               WHEN outcome IS NULL THEN 'accepted' ELSE 'outcome_built' END,
             tx_hash = CASE WHEN tx_hash IN (SELECT hash FROM txs WHERE state = 'pending') THEN tx_hash ELSE NULL END,
             settled_by = NULL, final_block = NULL, gas_used = NULL, next_attempt_at = 0, updated_at = ?
           WHERE status IN ('settled', 'closed') AND final_block > ?`,
        )
        .run(Date.now(), ancestor).changes;
      return { txs: Number(txs), deals: Number(deals) };
    });
  }

  #setCursor(block: number): void {
    this.db
      .prepare(
        "INSERT INTO meta (key, value) VALUES ('cursor', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      )
      .run(String(block));
  }

  /**
   * Applies a batch of events and moves the cursor to `toBlock` (whose hash is `toHash`),
   * atomically; block hashes older than `keepFrom` are forgotten.
   */
  applyEvents(
    events: (
      | {
          kind: "created";
          id: DealId;
          buyer: string;
          seller: string;
          escrow: string;
          dataRoot: string;
          deadline: number;
          sealed: string;
          block: number;
        }
      | { kind: "accepted"; id: DealId; sealed: string; block?: number }
      | ListingEvent
    )[],
    toBlock: number,
    toHash?: { hash: string; keepFrom: number },
  ): void {
    const now = Date.now();
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const ins = this.db.prepare(
        `INSERT OR IGNORE INTO deals (id, buyer, seller, escrow, data_root, deadline, sealed_buyer, created_block, status, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)`,
      );
      const acc = this.db.prepare(
        `UPDATE deals SET sealed_seller = ?, status = 'accepted', accepted_block = ?, updated_at = ? WHERE id = ? AND status = 'open'`,
      );
      for (const e of events) {
        if (e.kind === "created")
          ins.run(key(e.id), e.buyer, e.seller, e.escrow, e.dataRoot, e.deadline, e.sealed, e.block, now);
        else if (e.kind === "accepted") acc.run(e.sealed, e.block ?? null, now, key(e.id));
        else applyListingEvent(this.db, e, now);
      }
      this.#setCursor(toBlock);
      if (toHash !== undefined) {
        this.db
          .prepare("INSERT OR REPLACE INTO blocks (number, hash) VALUES (?, ?)")
          .run(toBlock, toHash.hash);
        this.db.prepare("DELETE FROM blocks WHERE number < ?").run(toHash.keepFrom);
      }
      this.db.exec("COMMIT");
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  get(id: DealId): DealRow | undefined {
    return row(DealRowSchema, this.db.prepare("SELECT * FROM deals WHERE id = ?").get(key(id)));
  }

  /**
   * Deals that still need work, oldest first. A row that cannot be read is left out and reported to
   * `onUnreadable` (its id and what is wrong), so one damaged row never stops the other deals.
   */
  pending(onUnreadable: (id: string, problem: string) => void = () => {}): DealRow[] {
    const found = this.db
      .prepare(
        "SELECT * FROM deals WHERE status IN ('accepted', 'outcome_built', 'submitted') ORDER BY created_block, id",
      )
      .all();
    return found.flatMap((r) => {
      const parsed = DealRowSchema.safeParse(r);
      if (parsed.success) return [parsed.data];
      onUnreadable(String((r as { id?: unknown }).id), rowProblem(parsed.error));
      return [];
    });
  }

  saveOutcome(id: DealId, outcome: StoredOutcome): void {
    this.db
      .prepare(
        "UPDATE deals SET outcome = ?, status = 'outcome_built', updated_at = ? WHERE id = ? AND status = 'accepted'",
      )
      .run(outcomeColumn.encode(outcome), Date.now(), key(id));
  }

  /**
   * Settled on-chain: by our transaction `txHash` ("oracle"), or by someone else's ("other"), as of
   * block `atBlock` (the receipt's, or the one the deal's state was read at).
   */
  markSettled(
    id: DealId,
    by: { settledBy: "oracle" | "other"; txHash?: string; gasUsed?: string; atBlock?: number },
  ): void {
    this.db
      .prepare(
        `UPDATE deals SET status = 'settled', settled_by = ?, tx_hash = COALESCE(?, tx_hash), gas_used = ?,
         last_error = NULL, final_block = ?, updated_at = ? WHERE id = ?`,
      )
      .run(by.settledBy, by.txHash ?? null, by.gasUsed ?? null, by.atBlock ?? null, Date.now(), key(id));
  }

  /**
   * Terminal without our settlement (refunded, settled by someone else, or past its deadline); when
   * the chain said so, `atBlock` is the block its state was read at.
   */
  markClosed(id: DealId, why: string, atBlock?: number): void {
    this.db
      .prepare(
        "UPDATE deals SET status = 'closed', last_error = ?, final_block = ?, updated_at = ? WHERE id = ?",
      )
      .run(why, atBlock ?? null, Date.now(), key(id));
  }

  /** Back to accepted (e.g. a submitted transaction vanished); keeps the built outcome. */
  resetSubmission(id: DealId): void {
    this.db
      .prepare(
        "UPDATE deals SET status = CASE WHEN outcome IS NULL THEN 'accepted' ELSE 'outcome_built' END, tx_hash = NULL, updated_at = ? WHERE id = ?",
      )
      .run(Date.now(), key(id));
  }

  /** Counts a failed attempt and holds the deal back until `nextAttemptAt` (ms since epoch). */
  recordError(id: DealId, code: string, message: string, nextAttemptAt = 0): number {
    this.db
      .prepare(
        "UPDATE deals SET attempts = attempts + 1, last_code = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?",
      )
      .run(code.slice(0, 64), `${code}: ${message}`.slice(0, 500), nextAttemptAt, Date.now(), key(id));
    return this.get(id)?.attempts ?? 0;
  }

  counts(): Record<string, number> {
    const counts = rows(
      CountRowSchema,
      this.db.prepare("SELECT status, COUNT(*) AS n FROM deals GROUP BY status").all(),
    );
    return Object.fromEntries(counts.map((r) => [r.status, r.n]));
  }
}
