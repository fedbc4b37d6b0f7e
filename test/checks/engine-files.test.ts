/**
 * The engine's own files (oracle/checks/engine.ts): its DuckDB database and spills live in a
 * directory of their own inside the tmp dir it is given, which close() removes — and which is
 * removed too when the child dies on its own — so no copy of the table outlives the engine.
 */
import { expect } from "chai";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEngine } from "../../oracle/checks/engine.ts";

describe("the check engine's files", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "dealproof-engine-files-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, "data.csv");
  before(() => writeFileSync(data, "k,v\n1,a\n2,b\n"));
  const engineDirs = () => readdirSync(dir).filter((n) => n.startsWith("engine-"));

  it("hold the database inside the tmp dir while open and are gone after close()", async () => {
    const e = await openEngine({ dataPath: data, format: "csv", keysPath: null, tmpDir: dir });
    const [own] = engineDirs();
    expect(own, "the engine's dir").to.be.a("string");
    expect(existsSync(join(dir, own!, "data.duckdb"))).to.equal(true);
    e.close();
    expect(engineDirs()).to.deep.equal([]);
  });

  it("are gone when the child dies without close()", async () => {
    const e = await openEngine({ dataPath: data, format: "csv", keysPath: null, tmpDir: dir });
    expect(engineDirs()).to.have.length(1);
    const q = e.query("q", "SELECT count(*) AS n FROM range(1000000000) a, range(1000000000) b", []);
    process.kill(e.pid!, "SIGKILL");
    await q.catch(() => undefined);
    expect(engineDirs()).to.deep.equal([]);
  });
});
