/**
 * The daemon's durable state in SQLite (node:sqlite): the event cursor, each deal's progress, and
 * the outbox of signed transactions. Only public data is stored (on-chain fields, sealed
 * ciphertexts, the built outcome, signed transactions, which are public once broadcast); opened
 * private inputs live in memory only and are re-opened from the ciphertexts after a restart.
 * Invariants: a signed transaction is stored, with the nonce counter moved past it and its deal
 * marked submitted, in one SQLite transaction before it is broadcast, so every nonce below
 * `next_nonce` that the chain has not consumed belongs to a stored transaction (no gaps, no
 * second signature for a deal whose transaction may still be mined).
 */
import { DatabaseSync } from "node:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

type DealStatus = "open" | "accepted" | "outcome_built" | "submitted" | "settled" | "closed";

export interface DealRow {
  id: string;
  buyer: string;
  seller: string;
  escrow: string;
  data_root: string;
  deadline: number;
  sealed_buyer: string;
  sealed_seller: string | null;
  created_block: number;
  status: DealStatus;
  outcome: string | null;
  tx_hash: string | null;
  attempts: number;
  last_error: string | null;
  /** The code of the last failure (e.g. fetch_failed, rpc_timeout, settlement_refused). */
  last_code: string | null;
  gas_used: string | null;
  updated_at: number;
  /** "oracle" when our own transaction settled it, "other" when someone else's did. */
  settled_by: "oracle" | "other" | null;
  /** ms since epoch before which the deal is not retried (backoff after a failed attempt). */
  next_attempt_at: number;
}

/** A signed transaction of ours, stored before broadcast. */
export interface TxRow {
  hash: string;
  /** What it does: "settle" (with deal_id) or "register". */
  purpose: string;
  deal_id: string | null;
  nonce: number;
  raw: string;
  max_fee: string;
  priority_fee: string;
  gas_limit: string;
  to_addr: string;
  data: string;
  value: string;
  created_at: number;
  /** pending until a receipt is seen (mined) or the nonce went to another transaction (dropped). */
  state: "pending" | "mined" | "dropped";
}

export interface StoredOutcome {
  settlement: {
    dealId: string;
    agreed: boolean;
    price: string;
    termsHash: string;
    dataRoot: string;
    transcriptHash: string;
    delivery: string;
  };
  termsJson: string;
  transcriptJson: string;
  reason: string;
}

export class Store {
  readonly db: DatabaseSync;

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
    `);
    const cols = new Set(
      (this.db.prepare("PRAGMA table_info(deals)").all() as { name: string }[]).map((c) => c.name),
    );
    if (!cols.has("settled_by")) this.db.exec("ALTER TABLE deals ADD COLUMN settled_by TEXT");
    if (!cols.has("last_code")) this.db.exec("ALTER TABLE deals ADD COLUMN last_code TEXT");
    if (!cols.has("next_attempt_at"))
      this.db.exec("ALTER TABLE deals ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0");
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
    const r = this.db.prepare("SELECT value FROM meta WHERE key = 'next_nonce'").get() as
      { value: string } | undefined;
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
  recordSignedTx(tx: Omit<TxRow, "state" | "created_at">): void {
    this.#tx(() => {
      this.db
        .prepare(
          `INSERT INTO txs (hash, purpose, deal_id, nonce, raw, max_fee, priority_fee, gas_limit, to_addr, data, value, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          tx.hash,
          tx.purpose,
          tx.deal_id,
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
          .run(tx.hash, Date.now(), tx.deal_id);
    });
  }

  /** Every transaction of ours with this nonce (the original and its fee-bumped replacements). */
  txsWithNonce(nonce: number): TxRow[] {
    return this.db
      .prepare("SELECT * FROM txs WHERE nonce = ? ORDER BY created_at, rowid")
      .all(nonce) as unknown as TxRow[];
  }

  txByHash(hash: string): TxRow | undefined {
    return this.db.prepare("SELECT * FROM txs WHERE hash = ?").get(hash) as TxRow | undefined;
  }

  /** The newest transaction per pending nonce, lowest nonce first. */
  pendingTxs(): TxRow[] {
    return this.db
      .prepare(
        `SELECT * FROM txs t WHERE state = 'pending' AND rowid = (SELECT MAX(rowid) FROM txs u WHERE u.nonce = t.nonce)
         ORDER BY nonce`,
      )
      .all() as unknown as TxRow[];
  }

  /** Marks every transaction of this nonce: one was mined (`minedHash`) or the nonce went elsewhere. */
  settleNonce(nonce: number, state: "mined" | "dropped"): void {
    this.db.prepare("UPDATE txs SET state = ? WHERE nonce = ?").run(state, nonce);
  }

  /** All stored transactions (the fault benchmark counts them). */
  allTxs(): TxRow[] {
    return this.db.prepare("SELECT * FROM txs ORDER BY nonce, rowid").all() as unknown as TxRow[];
  }

  close(): void {
    this.db.close();
  }

  cursor(): number | undefined {
    const r = this.db.prepare("SELECT value FROM meta WHERE key = 'cursor'").get() as
      { value: string } | undefined;
    return r === undefined ? undefined : Number(r.value);
  }

  /** Applies a batch of events and moves the cursor to `toBlock`, atomically. */
  applyEvents(
    events: (
      | {
          kind: "created";
          id: string;
          buyer: string;
          seller: string;
          escrow: string;
          dataRoot: string;
          deadline: number;
          sealed: string;
          block: number;
        }
      | { kind: "accepted"; id: string; sealed: string }
    )[],
    toBlock: number,
  ): void {
    const now = Date.now();
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const ins = this.db.prepare(
        `INSERT OR IGNORE INTO deals (id, buyer, seller, escrow, data_root, deadline, sealed_buyer, created_block, status, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)`,
      );
      const acc = this.db.prepare(
        `UPDATE deals SET sealed_seller = ?, status = 'accepted', updated_at = ? WHERE id = ? AND status = 'open'`,
      );
      for (const e of events) {
        if (e.kind === "created")
          ins.run(e.id, e.buyer, e.seller, e.escrow, e.dataRoot, e.deadline, e.sealed, e.block, now);
        else acc.run(e.sealed, now, e.id);
      }
      this.db
        .prepare(
          "INSERT INTO meta (key, value) VALUES ('cursor', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )
        .run(String(toBlock));
      this.db.exec("COMMIT");
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  get(id: string): DealRow | undefined {
    return this.db.prepare("SELECT * FROM deals WHERE id = ?").get(id) as DealRow | undefined;
  }

  /** Deals that still need work, oldest first. */
  pending(): DealRow[] {
    return this.db
      .prepare(
        "SELECT * FROM deals WHERE status IN ('accepted', 'outcome_built', 'submitted') ORDER BY created_block, id",
      )
      .all() as unknown as DealRow[];
  }

  saveOutcome(id: string, outcome: StoredOutcome): void {
    this.db
      .prepare(
        "UPDATE deals SET outcome = ?, status = 'outcome_built', updated_at = ? WHERE id = ? AND status = 'accepted'",
      )
      .run(JSON.stringify(outcome), Date.now(), id);
  }

  /** Settled on-chain: by our transaction `txHash` ("oracle"), or by someone else's ("other"). */
  markSettled(id: string, by: { settledBy: "oracle" | "other"; txHash?: string; gasUsed?: string }): void {
    this.db
      .prepare(
        `UPDATE deals SET status = 'settled', settled_by = ?, tx_hash = COALESCE(?, tx_hash), gas_used = ?,
         last_error = NULL, updated_at = ? WHERE id = ?`,
      )
      .run(by.settledBy, by.txHash ?? null, by.gasUsed ?? null, Date.now(), id);
  }

  /** Terminal without our settlement (refunded, settled by someone else, or past its deadline). */
  markClosed(id: string, why: string): void {
    this.db
      .prepare("UPDATE deals SET status = 'closed', last_error = ?, updated_at = ? WHERE id = ?")
      .run(why, Date.now(), id);
  }

  /** Back to accepted (e.g. a submitted transaction vanished); keeps the built outcome. */
  resetSubmission(id: string): void {
    this.db
      .prepare(
        "UPDATE deals SET status = CASE WHEN outcome IS NULL THEN 'accepted' ELSE 'outcome_built' END, tx_hash = NULL, updated_at = ? WHERE id = ?",
      )
      .run(Date.now(), id);
  }

  /** Counts a failed attempt and holds the deal back until `nextAttemptAt` (ms since epoch). */
  recordError(id: string, code: string, message: string, nextAttemptAt = 0): number {
    this.db
      .prepare(
        "UPDATE deals SET attempts = attempts + 1, last_code = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?",
      )
      .run(code.slice(0, 64), `${code}: ${message}`.slice(0, 500), nextAttemptAt, Date.now(), id);
    return this.get(id)?.attempts ?? 0;
  }

  counts(): Record<string, number> {
    const rows = this.db.prepare("SELECT status, COUNT(*) AS n FROM deals GROUP BY status").all() as {
      status: string;
      n: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }
}
