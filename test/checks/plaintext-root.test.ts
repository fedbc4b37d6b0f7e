/**
 * The daemon's plaintext root (DESIGN §10; issue 23): sweepPlaintextRoot makes it with mode 0700
 * (tightening an existing one), removes every per-deal dir a crash left in it and nothing else,
 * and says how many it removed; the check stage's own dirs are made in it and removed after.
 * The real crash — a SIGKILLed daemon — is in test/daemon/process.test.ts.
 */
import { expect } from "chai";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sweepPlaintextRoot, withDealTmpDir } from "../../oracle/checks/stage.ts";

const base = mkdtempSync(join(tmpdir(), "dealproof-plaintext-root-"));
after(() => rmSync(base, { recursive: true, force: true }));

describe("the plaintext root", () => {
  it("is made 0700 and swept of leftover per-deal dirs only, counting them", async () => {
    const root = join(base, "a", "plaintext");
    expect(await sweepPlaintextRoot(root)).to.equal(0);
    expect(statSync(root).mode & 0o777).to.equal(0o700);

    let seen = "";
    await withDealTmpDir(async (dir) => {
      seen = dir;
      expect(statSync(dir).mode & 0o777).to.equal(0o700);
      writeFileSync(join(dir, "data"), "id\n1\n");
    }, root);
    expect(existsSync(seen), "the stage removes its own dir").to.equal(false);

    // what a crash leaves: two deals' dirs (one nested), beside something that is not ours
    for (const d of ["dealproof-checks-AAAAAA", "dealproof-checks-BBBBBB"]) {
      mkdirSync(join(root, d, "duckdb-tmp"), { recursive: true });
      writeFileSync(join(root, d, "data"), "secret,row\n");
    }
    writeFileSync(join(root, "operator-note.txt"), "keep");
    chmodSync(root, 0o755);
    expect(await sweepPlaintextRoot(root)).to.equal(2);
    expect(readdirSync(root)).to.deep.equal(["operator-note.txt"]);
    expect(statSync(root).mode & 0o777, "an existing root is tightened").to.equal(0o700);
  });
});
