/**
 * Opens the daemon's store, and quarantines a *corrupt* one: the state is rebuilt from the chain
 * (as when the file is deleted), so a damaged database file must not keep the oracle down. A file
 * SQLite calls corrupt (SQLITE_CORRUPT, SQLITE_NOTADB), or one failing `PRAGMA quick_check`, is
 * renamed with its -wal and -shm to `<name>.corrupt-<timestamp>` (kept for inspection, never
 * deleted) and a fresh store is opened; the quarantine is recorded in the fresh store's meta
 * table, so /health keeps showing it after restarts.
 * Invariants: only corruption quarantines — a permission problem, a busy or locked file or a
 * missing directory is thrown as it was (the caller refuses to start with its hint); nothing is
 * ever deleted.
 */
import { existsSync, renameSync } from "node:fs";
import type { Logger } from "pino";
import { Store } from "./store.ts";
import { causeChain } from "../../sdk/src/errors.ts";

/** SQLite's primary result codes for a damaged file (the low byte of an extended code). */
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

export interface StoreQuarantine {
  /** ISO time of the quarantine. */
  at: string;
  /** The renamed files (the database and its -wal / -shm where present). */
  files: string[];
  /** SQLite's own words for the damage (no row content). */
  reason: string;
}

export interface OpenedStore {
  store: Store;
  /** The latest quarantine of this store's path, if its file was ever found corrupt. */
  quarantined: StoreQuarantine | undefined;
  /** True when this open quarantined a file: the state is being rebuilt from the chain. */
  rebuilt: boolean;
}

const META_KEY = "store_quarantined";

/** SQLite's words for a corruption error anywhere in `e`'s cause chain, or undefined. */
export function corruptionOf(e: unknown): string | undefined {
  for (const c of causeChain(e)) {
    const errcode = (c as { errcode?: unknown }).errcode;
    if (typeof errcode === "number" && [SQLITE_CORRUPT, SQLITE_NOTADB].includes(errcode & 0xff))
      return String((c as { errstr?: unknown }).errstr ?? (c as Error).message);
  }
  return undefined;
}

class CorruptStoreError extends Error {
  errcode = SQLITE_CORRUPT;
  errstr: string;
  constructor(detail: string) {
    super(`quick_check: ${detail}`);
    this.errstr = `quick_check failed (${detail.slice(0, 200)})`;
  }
}

/** Opens `path` and checks it; a corrupt file throws an error corruptionOf recognizes. */
function openChecked(path: string): Store {
  const store = new Store(path);
  if (path === ":memory:") return store;
  let found: { quick_check?: unknown }[];
  try {
    found = store.db.prepare("PRAGMA quick_check").all() as { quick_check?: unknown }[];
  } catch (e) {
    store.close();
    throw e;
  }
  if (found.length === 1 && found[0]!.quick_check === "ok") return store;
  store.close();
  throw new CorruptStoreError(found.map((r) => String(r.quick_check)).join("; "));
}

function readQuarantine(store: Store): StoreQuarantine | undefined {
  const r = store.db.prepare("SELECT value FROM meta WHERE key = ?").get(META_KEY) as
    { value: string } | undefined;
  if (r === undefined) return undefined;
  try {
    return JSON.parse(r.value) as StoreQuarantine;
  } catch {
    return undefined;
  }
}

/** Opens the store at `path`; quarantines and replaces it when SQLite finds it corrupt. */
export function openStore(path: string, logger: Logger, now: () => Date = () => new Date()): OpenedStore {
  let reason: string | undefined;
  try {
    const store = openChecked(path);
    return { store, quarantined: readQuarantine(store), rebuilt: false };
  } catch (e) {
    reason = corruptionOf(e);
    if (reason === undefined) throw e;
  }
  const at = now().toISOString();
  const suffix = `.corrupt-${at.replace(/[:.]/g, "-")}`;
  const files: string[] = [];
  for (const f of [path, `${path}-wal`, `${path}-shm`]) {
    if (!existsSync(f)) continue;
    renameSync(f, f + suffix);
    files.push(f + suffix);
  }
  const quarantined: StoreQuarantine = { at, files, reason };
  const store = new Store(path);
  store.db
    .prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )
    .run(META_KEY, JSON.stringify(quarantined));
  logger.error(
    { code: "store.quarantined", files, reason },
    "THE ORACLE'S DATABASE WAS CORRUPT: it was moved aside and a fresh one is rebuilt from the chain " +
      "(deals resume; inspect or delete the quarantined files)",
  );
  return { store, quarantined, rebuilt: true };
}
