/**
 * Opening the store (oracle/daemon/store-open.ts): a corrupt database — garbage (SQLITE_NOTADB),
 * damaged pages (SQLITE_CORRUPT) — is renamed with its -wal/-shm to `<name>.corrupt-<time>`, a
 * fresh store opens, the quarantine is logged at error level and remembered across restarts; a
 * busy (locked) database or an unopenable path is refused as before, with every file left intact.
 */
import { expect } from "chai";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import pino from "pino";
import { Writable } from "node:stream";
import { openStore, corruptionOf } from "../../oracle/daemon/store-open.ts";
import { Store } from "../../oracle/daemon/store.ts";

function capture() {
  const lines: { level: number; code?: string; msg: string; files?: string[] }[] = [];
  const logger = pino(
    { level: "info" },
    new Writable({
      write(c: Buffer, _e, cb) {
        lines.push(JSON.parse(c.toString()) as (typeof lines)[number]);
        cb();
      },
    }),
  );
  return { logger, lines };
}

/** A store with a deal and a nonce counter, left with its -wal and -shm (not checkpointed). */
function populated(dir: string): string {
  const path = join(dir, "oracle.sqlite");
  const s = new Store(path);
  s.setNextNonce(7);
  s.applyEvents(
    [
      {
        kind: "created",
        id: 1n,
        buyer: "0x" + "aa".repeat(20),
        seller: "0x" + "bb".repeat(20),
        escrow: "4",
        dataRoot: "0x" + "00".repeat(32),
        deadline: 2_000_000_000,
        sealed: "0x01",
        block: 1,
      },
    ],
    1,
  );
  s.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  s.close();
  return path;
}

const at = () => new Date("2026-12-02T19:30:00.000Z");

describe("store open and quarantine (oracle/daemon/store-open.ts)", () => {
  it("quarantines a file that is not a database (SQLITE_NOTADB), opens a fresh store and says so", () => {
    const dir = mkdtempSync(join(tmpdir(), "dealproof-store-"));
    const path = populated(dir);
    writeFileSync(path, Buffer.alloc(8192, 7));
    writeFileSync(`${path}-wal`, Buffer.alloc(4096, 9));
    const { logger, lines } = capture();
    const o = openStore(path, logger, at);
    expect(o.rebuilt).to.equal(true);
    expect(o.store.get(1n)).to.equal(undefined); // fresh: rebuilt from the chain
    expect(o.store.nextNonce()).to.equal(undefined);
    expect(o.quarantined!.reason).to.match(/not a database/);
    const suffix = ".corrupt-2026-12-02T19-30-00-000Z";
    expect(o.quarantined!.files).to.include.members([path + suffix, `${path}-wal${suffix}`]);
    expect(readdirSync(dir).filter((f) => !f.includes(".corrupt-"))).to.have.members([
      "oracle.sqlite",
      "oracle.sqlite-wal",
      "oracle.sqlite-shm",
    ]); // the fresh store's own
    expect(readFileSync(path + suffix)).to.deep.equal(Buffer.alloc(8192, 7)); // kept, never deleted
    const err = lines.find((l) => l.code === "store.quarantined")!;
    expect(err.level).to.equal(50); // error
    expect(err.files).to.deep.equal(o.quarantined!.files);
    o.store.close();

    // a restart: the fresh store opens as it is, and still tells of the quarantine
    const again = openStore(path, capture().logger, at);
    expect(again.rebuilt).to.equal(false);
    expect(again.quarantined).to.deep.equal(o.quarantined);
    again.store.close();
  });

  it("quarantines damaged pages (SQLITE_CORRUPT) with the database's -wal and -shm", () => {
    const dir = mkdtempSync(join(tmpdir(), "dealproof-store-"));
    const path = populated(dir);
    const b = readFileSync(path);
    b.fill(0x55, 100); // header intact, every page after it garbage
    writeFileSync(path, b);
    const o = openStore(path, capture().logger, at);
    expect(o.rebuilt).to.equal(true);
    expect(o.quarantined!.reason).to.match(/malformed|quick_check/);
    expect(readdirSync(dir).filter((f) => f.includes(".corrupt-")).length).to.be.at.least(1);
    o.store.applyEvents([], 5); // the fresh store works
    expect(o.store.cursor()).to.equal(5);
    o.store.close();
  });

  it("refuses a busy (locked) database as before and renames nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "dealproof-store-"));
    const path = populated(dir);
    const holder = new DatabaseSync(path);
    holder.exec("PRAGMA journal_mode = DELETE; BEGIN EXCLUSIVE; INSERT INTO meta VALUES ('x', 'y')");
    try {
      let thrown: unknown;
      try {
        openStore(path, capture().logger, at).store.close();
      } catch (e) {
        thrown = e;
      }
      expect(thrown, "a locked database must be refused").to.be.instanceOf(Error);
      expect(corruptionOf(thrown)).to.equal(undefined);
      expect(readdirSync(dir).filter((f) => f.includes(".corrupt-"))).to.deep.equal([]);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    const s = openStore(path, capture().logger, at);
    expect(s.store.nextNonce()).to.equal(7); // intact
    s.store.close();
  });

  it("refuses a path it cannot open (a directory) as before and renames nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "dealproof-store-"));
    mkdirSync(join(dir, "db"));
    expect(() => openStore(join(dir, "db"), capture().logger, at)).to.throw();
    expect(readdirSync(dir)).to.deep.equal(["db"]);
  });

  it("knows corruption by SQLite's primary code only, through causes and extended codes", () => {
    const sqlite = (errcode: number) => Object.assign(new Error("x"), { errcode, errstr: `code ${errcode}` });
    expect(corruptionOf(sqlite(11))).to.equal("code 11");
    expect(corruptionOf(sqlite(26))).to.equal("code 26");
    expect(corruptionOf(sqlite(11 | (1 << 8)))).to.equal(`code ${11 | (1 << 8)}`); // SQLITE_CORRUPT_VTAB
    expect(corruptionOf(new Error("wrapped", { cause: sqlite(26) }))).to.equal("code 26");
    for (const code of [5, 6, 8, 14, 10])
      expect(corruptionOf(sqlite(code)), `code ${code}`).to.equal(undefined);
    expect(corruptionOf(new Error("plain"))).to.equal(undefined);
  });
});
