/**
 * A rebuilt store signs nothing while the sender still has transactions in the mempool
 * (oracle/main/quiet-sender.ts): it waits until they are mined, and past its bound goes on with a
 * warning (new transactions then replace the pending ones by nonce); an RPC failure is thrown.
 */
import { expect } from "chai";
import pino from "pino";
import type { Provider } from "ethers";
import { waitForQuietSender } from "../../oracle/main/quiet-sender.ts";

/** A provider whose pending nonce leads the mined one until `minedAfter` reads. */
function provider(minedAfter: number, fail = false) {
  let reads = 0;
  const p = {
    getTransactionCount: (_a: string, tag: string) => {
      if (fail) return Promise.reject(new Error("rpc down"));
      if (tag === "latest") reads++;
      return Promise.resolve(tag === "pending" ? 5 : reads > minedAfter ? 5 : 3);
    },
  };
  return { p: p as unknown as Provider, reads: () => reads };
}

const quiet = pino({ level: "silent" });

describe("waiting for a quiet sender after a rebuild (oracle/main/quiet-sender.ts)", () => {
  it("returns at once when nothing is pending", async () => {
    const { p, reads } = provider(0);
    expect(await waitForQuietSender(p, "0x1", quiet, { maxWaitMs: 10_000, pollMs: 1 })).to.equal(true);
    expect(reads()).to.equal(1);
  });

  it("waits until the pending transactions are mined", async () => {
    const { p, reads } = provider(3);
    expect(await waitForQuietSender(p, "0x1", quiet, { maxWaitMs: 60_000, pollMs: 1 })).to.equal(true);
    expect(reads()).to.equal(4);
  });

  it("goes on (false) past its bound while transactions stay pending", async () => {
    const { p } = provider(Number.MAX_SAFE_INTEGER);
    expect(await waitForQuietSender(p, "0x1", quiet, { maxWaitMs: 50, pollMs: 5 })).to.equal(false);
  });

  it("throws an RPC failure (the caller refuses to start)", async () => {
    const { p } = provider(0, true);
    let e: unknown;
    await waitForQuietSender(p, "0x1", quiet, { maxWaitMs: 50, pollMs: 5 }).catch((x: unknown) => (e = x));
    expect((e as Error).message).to.equal("rpc down");
  });
});
