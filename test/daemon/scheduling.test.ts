/**
 * Which deal runs next (oracle/daemon/scheduling.ts), as pure decisions over the store's rows:
 * fresh deals before retries and the oldest first, retries at most half the slots, one seller at
 * most half, a deal in its backoff held back unless near its deadline, and the backoff itself.
 */
import { expect } from "chai";
import {
  dealsToStart,
  dealsToStartByClaim,
  retryDelayMs,
  type Busy,
} from "../../oracle/daemon/scheduling.ts";
import type { Claim } from "../../oracle/daemon/assignment.ts";
import type { DealRow } from "../../oracle/daemon/store.ts";

const NOW_S = 1_000_000;
const WALL = 5_000_000;

function row(id: bigint, o: Partial<DealRow> = {}): DealRow {
  return {
    id,
    buyer: "0x01",
    seller: `0xs${id}`,
    escrow: "1",
    data_root: "0x",
    deadline: NOW_S + 3600,
    sealed_buyer: "0x",
    sealed_seller: "0x",
    created_block: Number(id),
    status: "accepted",
    outcome: null,
    tx_hash: null,
    attempts: 0,
    last_error: null,
    last_code: null,
    gas_used: null,
    updated_at: 0,
    settled_by: null,
    next_attempt_at: 0,
    final_block: null,
    accepted_block: null,
    ...o,
  };
}

const limits = (concurrency: number) => ({ concurrency, wall: WALL, chainNow: NOW_S, marginS: 300 });
const ids = (rows: DealRow[]) => rows.map((r) => r.id);
const none = () => false;

describe("scheduling: which deal runs next (oracle/daemon/scheduling.ts)", () => {
  it("fresh deals first, then the oldest; submitted and taken deals are left out; at most `concurrency`", () => {
    const pending = [
      row(1n, { attempts: 2 }),
      row(2n),
      row(3n, { status: "submitted" }),
      row(4n, { created_block: 0 }),
      row(5n),
    ];
    expect(ids(dealsToStart(pending, [], (id) => id === 5n, limits(8)))).to.deep.equal([4n, 2n, 1n]);
    expect(ids(dealsToStart(pending, [], none, limits(2)))).to.deep.equal([4n, 2n]);
    const full: Busy[] = [
      { seller: "a", retry: false },
      { seller: "b", retry: false },
    ];
    expect(dealsToStart(pending, full, none, limits(2))).to.deep.equal([]);
  });

  it("deals on a retry take at most half the slots, counting those already running", () => {
    const retries = [1n, 2n, 3n, 4n].map((id) => row(id, { attempts: 1 }));
    expect(ids(dealsToStart(retries, [], none, limits(4)))).to.deep.equal([1n, 2n]);
    expect(ids(dealsToStart(retries, [{ seller: "x", retry: true }], none, limits(4)))).to.deep.equal([1n]);
    expect(ids(dealsToStart([...retries, row(9n)], [], none, limits(4)))).to.deep.equal([9n, 1n, 2n]);
  });

  it("one seller takes at most half the slots; the others still get theirs", () => {
    const pending = [1n, 2n, 3n, 4n].map((id) => row(id, { seller: "0xhog" })).concat(row(5n));
    expect(ids(dealsToStart(pending, [], none, limits(4)))).to.deep.equal([1n, 2n, 5n]);
    expect(ids(dealsToStart(pending, [{ seller: "0xhog", retry: false }], none, limits(4)))).to.deep.equal([
      1n,
      5n,
    ]);
  });

  it("a deal in its backoff waits, unless it is within the margin of its deadline (its last attempt closes it)", () => {
    const waiting = row(1n, { attempts: 1, next_attempt_at: WALL + 1 });
    const due = row(2n, { attempts: 1, next_attempt_at: WALL });
    const late = row(3n, { attempts: 1, next_attempt_at: WALL + 60_000, deadline: NOW_S + 300 });
    const early = row(4n, { attempts: 1, next_attempt_at: WALL + 60_000, deadline: NOW_S + 301 });
    expect(ids(dealsToStart([waiting, due, late, early], [], none, limits(8)))).to.deep.equal([2n, 3n]);
  });

  it("the backoff: at least one poll, at most the ceiling, none with a base of 0", () => {
    for (let attempt = 1; attempt < 12; attempt++) {
      const d = retryDelayMs(attempt, { pollMs: 50, retryBaseMs: 100, retryMaxMs: 2000 });
      expect(d >= 50 && d <= 2000, `attempt ${attempt}: ${d}`).to.equal(true);
    }
    expect(retryDelayMs(5, { pollMs: 50, retryBaseMs: 0 })).to.equal(0);
    const byDefault = retryDelayMs(1, { pollMs: 500 }); // base 1000, ceiling 30000: a jitter under 2000
    expect(byDefault >= 500 && byDefault <= 2000, String(byDefault)).to.equal(true);
  });
  it("takeovers only in the slots the replica's own and urgent deals leave; never a deal it does not hold", () => {
    const claims = new Map<bigint, Claim>([
      [1n, "takeover"],
      [2n, "own"],
      [3n, "takeover"],
      [4n, "urgent"],
      [5n, "own"],
    ]);
    const claim = (id: bigint) => claims.get(id);
    // deal 1 is the oldest, yet the own (2, 5) and urgent (4) deals take the slots first
    const pending = [1n, 2n, 3n, 4n, 5n, 6n].map((id) => row(id));
    expect(ids(dealsToStartByClaim(pending, claim, [], none, limits(3)))).to.deep.equal([2n, 4n, 5n]);
    expect(ids(dealsToStartByClaim(pending, claim, [], none, limits(5)))).to.deep.equal([2n, 4n, 5n, 1n, 3n]);
    // a busy replica (its own deals in both slots) starts no takeover at all
    const busy: Busy[] = [
      { seller: "0xa", retry: false },
      { seller: "0xb", retry: false },
    ];
    expect(dealsToStartByClaim(pending, claim, busy, none, limits(2))).to.deep.equal([]);
    // with one slot free and no own deal ready, the oldest takeover runs
    const onlyTakeovers = (id: bigint) => (id === 1n || id === 3n ? ("takeover" as const) : undefined);
    expect(ids(dealsToStartByClaim(pending, onlyTakeovers, busy.slice(1), none, limits(2)))).to.deep.equal([
      1n,
    ]);
    // deal 6, held by nobody here, never starts
    expect(ids(dealsToStartByClaim(pending, claim, [], none, limits(10)))).to.not.include(6n);
  });

  it("late own deals after the fresh ones and newest first; takeovers oldest first (holder and backup from opposite ends)", () => {
    const backlog = [1n, 2n, 3n, 4n, 5n, 6n].map((id) => row(id));
    const holder = (id: bigint): Claim | undefined => (id === 6n ? "own" : "late");
    expect(ids(dealsToStartByClaim(backlog, holder, [], none, limits(3)))).to.deep.equal([6n, 5n, 4n]);
    const backup = (id: bigint): Claim | undefined => (id === 6n ? undefined : "takeover");
    expect(ids(dealsToStartByClaim(backlog, backup, [], none, limits(3)))).to.deep.equal([1n, 2n, 3n]);
    // the fairness rules still hold across the tiers: one seller at most half the slots
    const one = [1n, 2n, 3n].map((id) => row(id, { seller: "0xhog" }));
    const mixed = (id: bigint): Claim | undefined => (id === 1n ? "own" : "late");
    expect(ids(dealsToStartByClaim(one, mixed, [], none, limits(4)))).to.deep.equal([1n, 3n]);
  });
});
