/**
 * bench:web still runs end to end (a 4 MB file instead of 100 MB) and prints the keys its --json
 * promises; its figures are judged from its output, never here.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

describe("bench:web still runs and prints its --json keys", function () {
  this.timeout(240_000);
  it("bench:web (4 MB)", async () => {
    const { stdout } = await run(process.execPath, ["scripts/bench/web.ts", "--json", "--mb", "4"], {
      maxBuffer: 16 << 20,
      timeout: 200_000,
    });
    const line = stdout
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .at(-1);
    expect(line, "bench:web printed no JSON object").to.be.a("string");
    const r = JSON.parse(line!) as Record<string, unknown>;
    for (const k of ["bundleKbGzip", "commitMBps", "commitEncryptMBps", "verifyQuoteMs", "verifyQuoteLoadMs"])
      expect(r[k], k).to.be.a("number").and.satisfy(Number.isFinite);
    expect(r.fileMB).to.equal(4);
  });
});
