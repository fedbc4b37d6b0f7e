/**
 * The daemon's listing dispatch (listing-verification.ts) over the real store: each tick reads a
 * bounded batch of sellers and, when the batch is full, the next tick goes on after its last
 * seller, so with more sellers than a batch every seller's listing reaches the queue within a
 * round of ticks (never only the first sellers by address while they keep work pending), and a
 * seller's flood reaches the queue only as far as the queue can hold it.
 */
import { expect } from "chai";
import pino from "pino";
import { Store } from "../../oracle/daemon/store.ts";
import { ListingVerifier } from "../../oracle/daemon/listing-verification.ts";
import { publishedEvent } from "../fixtures/listing-events.ts";

const seller = (i: number) => `0x${i.toString(16).padStart(40, "0")}`;

/** A verifier whose every verification blocks at its start (onVerify), recording who started. */
function blockedVerifier(
  store: Store,
  o: { maxRunning: number; perSellerCap: number; sellersPerTick: number },
) {
  const started: string[] = [];
  const verifier = new ListingVerifier(
    {
      store,
      logger: pino({ level: "silent" }),
      identity: undefined as never, // never reached: every job blocks in onVerify
      chainId: 31337n,
      contract: "0x" + "ab".repeat(20),
      now: () => 0,
      verify: undefined as never,
      signal: new AbortController().signal,
      running: () => true,
    },
    {
      cache: undefined as never,
      ...o,
      onVerify: (row) => {
        started.push(row.seller);
        return new Promise<void>(() => {});
      },
    },
  );
  return { verifier, started };
}

describe("oracle daemon: listing dispatch reads a bounded batch of sellers and goes round", () => {
  it("5 sellers, a batch of 2: within 3 ticks every seller's listing is queued", async () => {
    const store = new Store(":memory:");
    store.applyEvents(
      [1, 2, 3, 4, 5].map((i) => publishedEvent(BigInt(i), seller(i), i)),
      5,
    );
    const { verifier, started } = blockedVerifier(store, {
      maxRunning: 1,
      perSellerCap: 1,
      sellersPerTick: 2,
    });
    for (let t = 0; t < 3; t++) verifier.dispatch();
    await new Promise((r) => setTimeout(r, 5));
    expect(started).to.deep.equal([seller(1)]);
    expect(verifier.queue.waiting).to.equal(4);
  });

  it("a flood of 50 by one seller: only what the queue can hold for it is read and queued", async () => {
    const store = new Store(":memory:");
    const events = [];
    for (let i = 0; i < 50; i++) events.push(publishedEvent(BigInt(100 + i), seller(9), i + 1));
    events.push(publishedEvent(999n, seller(7), 60));
    store.applyEvents(events, 60);
    const { verifier } = blockedVerifier(store, { maxRunning: 2, perSellerCap: 4, sellersPerTick: 256 });
    const read: number[] = [];
    const unverified = store.listings.unverified.bind(store.listings);
    store.listings.unverified = (o) => {
      const rows = unverified(o);
      read.push(rows.length);
      return rows;
    };
    verifier.dispatch();
    verifier.dispatch();
    // each tick reads the flooder's oldest 6 (4 waiting + 2 running) and the other seller's 1
    expect(read).to.deep.equal([7, 7]);
    await new Promise((r) => setTimeout(r, 5));
    // the flooder: 2 running and 4 waiting; the other seller: 1 waiting (both slots were the flooder's)
    expect([verifier.queue.running, verifier.queue.waiting]).to.deep.equal([2, 5]);
    expect(verifier.queue.runningFor(seller(9))).to.equal(2);
  });
});
