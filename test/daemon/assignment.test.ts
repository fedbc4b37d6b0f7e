/**
 * The assignment rule (oracle/daemon/assignment.ts, DESIGN.md §12): rendezvous ranking by
 * keccak256(dealId ‖ signer) over the live signers; rank 0 from acceptance, rank k after k
 * takeover delays, compressed so every rank has its turn before the deadline's margin; a
 * replica that is not live holds nothing; chain time only, and the ranking depends on the set,
 * never on its order or the case of the addresses.
 */
import { expect } from "chai";
import { Wallet, keccak256, solidityPacked } from "ethers";
import { claimOf, holdsDeal, rankSigners, turnOf } from "../../oracle/daemon/assignment.ts";
import { ChainClock } from "../../oracle/daemon/chain-clock.ts";

const signers = Array.from({ length: 3 }, () => Wallet.createRandom().address);
const base = { acceptedAt: 1_000_000, deadline: 1_000_000 + 3600, marginS: 300, takeoverAfterS: 120 };

describe("replicas: the assignment rule (oracle/daemon/assignment.ts)", () => {
  it("ranks by keccak256(dealId ‖ signer), whatever the order or case of the live set", () => {
    for (let id = 1n; id < 50n; id++) {
      const ranked = rankSigners(id, signers);
      const expected = [...signers]
        .map((s) => ({
          s: s.toLowerCase(),
          v: BigInt(keccak256(solidityPacked(["uint256", "address"], [id, s]))),
        }))
        .sort((a, b) => (a.v < b.v ? -1 : 1))
        .map((x) => x.s);
      expect(ranked).to.deep.equal(expected);
      expect(
        rankSigners(
          id,
          [...signers].reverse().map((s) => s.toUpperCase().replace("0X", "0x")),
        ),
      ).to.deep.equal(ranked);
    }
  });

  it("spreads deals over the replicas: each is rank 0 for roughly a third of 600 deals", () => {
    const firsts = new Map<string, number>();
    for (let id = 0n; id < 600n; id++) {
      const s = rankSigners(id, signers)[0]!;
      firsts.set(s, (firsts.get(s) ?? 0) + 1);
    }
    for (const s of signers) {
      const n = firsts.get(s.toLowerCase()) ?? 0;
      expect(n, s).to.be.greaterThan(140);
      expect(n, s).to.be.lessThan(260);
    }
  });

  it("rank 0 holds the deal from acceptance; rank k only k delays later; exactly one holds it at first", () => {
    const dealId = 7n;
    const ranked = rankSigners(dealId, signers);
    for (const [k, self] of ranked.entries()) {
      const a = { ...base, dealId, self, live: signers };
      expect(turnOf(a)).to.deep.equal({ rank: k, startsAt: base.acceptedAt + k * 120, delay: 120 });
      expect(holdsDeal(a, base.acceptedAt + k * 120 - 1)).to.equal(false);
      expect(holdsDeal(a, base.acceptedAt + k * 120)).to.equal(true);
    }
    const holders = ranked.filter((self) =>
      holdsDeal({ ...base, dealId, self, live: signers }, base.acceptedAt),
    );
    expect(holders).to.deep.equal([ranked[0]]);
  });

  it("when the deal's window is short, the delays shrink so the last rank still starts before the margin", () => {
    const dealId = 9n;
    const short = { ...base, deadline: base.acceptedAt + 300 + 90 }; // 90 s of window for 3 ranks
    const last = rankSigners(dealId, signers)[2]!;
    const t = turnOf({ ...short, dealId, self: last, live: signers })!;
    expect(t.startsAt).to.equal(base.acceptedAt + 2 * 30);
    expect(t.startsAt).to.be.lessThan(short.deadline - short.marginS);
  });

  it("a replica not in the live set (revoked, expired, untrusted) holds nothing; the next rank moves up", () => {
    const dealId = 11n;
    const [first, second] = rankSigners(dealId, signers);
    const without = signers.filter((s) => s.toLowerCase() !== first);
    expect(turnOf({ ...base, dealId, self: first!, live: without })).to.equal(undefined);
    expect(holdsDeal({ ...base, dealId, self: first!, live: without }, base.deadline)).to.equal(false);
    expect(turnOf({ ...base, dealId, self: second!, live: without })!.rank).to.equal(0);
  });

  it("a wall clock skewed by minutes changes nothing: the chain time the rule reads is the same", () => {
    const realNow = Date.now;
    const head = { number: 10, timestamp: base.acceptedAt + 125 };
    const chainTimeWithSkew = (skewMs: number) => {
      const t0 = realNow();
      Date.now = () => t0 + skewMs;
      try {
        const clock = new ChainClock();
        clock.observe(head);
        Date.now = () => t0 + skewMs + 3_000; // three seconds later, on the same skewed clock
        return clock.now();
      } finally {
        Date.now = realNow;
      }
    };
    const times = [0, 7 * 60_000, -9 * 60_000].map(chainTimeWithSkew);
    expect(times).to.deep.equal([head.timestamp + 3, head.timestamp + 3, head.timestamp + 3]);
    const dealId = 13n;
    for (const self of signers)
      expect(new Set(times.map((t) => holdsDeal({ ...base, dealId, self, live: signers }, t))).size).to.equal(
        1,
      );
  });
  it("rank 0 holds its deal as its own (late from rank 1's turn); a later rank as a takeover, urgent one step before the margin", () => {
    const dealId = 21n;
    const ranked = rankSigners(dealId, signers);
    const at = (self: string, t: number) => claimOf({ ...base, dealId, self, live: signers }, t);
    expect(at(ranked[0]!, base.acceptedAt)).to.equal("own");
    expect(at(ranked[0]!, base.acceptedAt + 119)).to.equal("own");
    // from the next rank's turn on, the holder's deal is late (a backup may have taken it up) …
    expect(at(ranked[0]!, base.acceptedAt + 120)).to.equal("late");
    // … and its own again, first in line, one step before the margin
    expect(at(ranked[0]!, base.deadline - base.marginS - 120)).to.equal("own");
    // alone, a replica's deals are never late: nobody else may take them up
    const alone = { ...base, dealId, self: ranked[0]!, live: [ranked[0]!] };
    expect(claimOf(alone, base.acceptedAt + 1000)).to.equal("own");
    expect(at(ranked[1]!, base.acceptedAt + 119)).to.equal(undefined);
    expect(at(ranked[1]!, base.acceptedAt + 120)).to.equal("takeover");
    expect(at(ranked[2]!, base.acceptedAt + 240)).to.equal("takeover");
    const urgentFrom = base.deadline - base.marginS - 120;
    expect(at(ranked[1]!, urgentFrom - 1)).to.equal("takeover");
    expect(at(ranked[1]!, urgentFrom)).to.equal("urgent");
    expect(at(ranked[2]!, urgentFrom)).to.equal("urgent");
    // a replica not live holds nothing, whatever the time
    const without = signers.filter((s) => s.toLowerCase() !== ranked[2]);
    expect(claimOf({ ...base, dealId, self: ranked[2]!, live: without }, base.deadline)).to.equal(undefined);
  });
});
