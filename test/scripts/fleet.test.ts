/**
 * bench:fleet's smoke run: 3 oracle replicas as processes, 6 deals under 2 SIGKILLs (one victim
 * killed for good) with a fast fake model, and a tiny scaling pair; the invariants are judged
 * from the chain by the bench itself and asserted here: every deal settled exactly once, none
 * stuck, none settled twice, at most one wasted settlement transaction per kill.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

describe("bench:fleet smoke run (3 replicas, 6 deals, 2 SIGKILLs, fast model)", function () {
  this.timeout(180_000);

  it("settles every deal exactly once, none stuck, wasted settlement transactions ≤ kills", async () => {
    const { stdout } = await run(
      process.execPath,
      [
        "scripts/bench/fleet.ts",
        "--json",
        ...["--replicas", "3", "--deals", "6", "--kills", "2", "--scale-deals", "2", "--rate", "1"],
        ...["--model-ms", "50-150", "--block-ms", "500", "--seed", "7", "--timeout-s", "120"],
      ],
      { maxBuffer: 16 << 20, timeout: 170_000 },
    );
    const line = stdout
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .at(-1);
    expect(line, "bench:fleet printed no JSON object").to.be.a("string");
    const r = JSON.parse(line!) as Record<string, number | null | Record<string, boolean>>;
    expect(r.replicas).to.equal(3);
    expect(r.deals, "2 + 2 scaling deals and 6 under kills").to.equal(10);
    expect(r.killCount).to.equal(2);
    expect(r.killedForGood).to.equal(1);
    expect(r.settledOnce, "every deal settled exactly once").to.equal(r.deals);
    expect(r.stuck).to.equal(0);
    expect(r.landedTwice).to.equal(0);
    expect(r.wastedTxs as number).to.be.at.most(r.killCount as number);
    expect(r.selfExits, "no replica exited by itself").to.equal(0);
    for (const k of ["p95SettleSeconds", "scaling"])
      expect(Number.isFinite(r[k]), `${k} is a number`).to.equal(true);
    // a number when some killed replica's deal was taken over, null (nothing measured) otherwise
    if (r.takeovers === 0) expect(r.p95TakeoverSeconds).to.equal(null);
    else expect(Number.isFinite(r.p95TakeoverSeconds), "p95TakeoverSeconds is a number").to.equal(true);
    const t = r.targets as Record<string, boolean>;
    expect([t.settledOnceEqualsDeals, t.stuckZero, t.landedTwiceZero, t.wastedTxsAtMostKills]).to.deep.equal([
      true,
      true,
      true,
      true,
    ]);
  });
});
