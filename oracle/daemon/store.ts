/**
 * The daemon's durable state in SQLite (node:sqlite): the event cursor and each deal's progress.
 * Only public data is stored (on-chain fields, sealed ciphertexts, the built outcome); opened
 * private inputs live in memory only and are re-opened from the ciphertexts after a restart.
 */
import { DatabaseSync } from "node:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

export type DealStatus = "open" | "accepted" | "outcome_built" | "submitted" | "settled" | "closed";

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
  gas_used: string | null;
  updated_at: number;
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
    `);
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

  markSubmitted(id: string, txHash: string): void {
    this.db
      .prepare("UPDATE deals SET tx_hash = ?, status = 'submitted', updated_at = ? WHERE id = ?")
      .run(txHash, Date.now(), id);
  }

  markSettled(id: string, gasUsed: string | null): void {
    this.db
      .prepare(
        "UPDATE deals SET status = 'settled', gas_used = ?, last_error = NULL, updated_at = ? WHERE id = ?",
      )
      .run(gasUsed, Date.now(), id);
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

  recordError(id: string, message: string): number {
    this.db
      .prepare("UPDATE deals SET attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?")
      .run(message.slice(0, 500), Date.now(), id);
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
