/**
 * The verification queue: at most maxRunning at once, a cap on each seller's waiting jobs (an offer
 * over it is refused, to be made again), a job known by its key runs once, and fairness over
 * sellers, so one seller's flood of 20 listings does not starve another seller's one: a free slot
 * goes to the waiting seller with the fewest running (a seller never starts a second verification
 * while another has work waiting and none running), then round-robin; a seller alone uses every slot.
 */
import { expect } from "chai";
import { VerificationQueue, type StartCounts } from "../../oracle/listings/queue.ts";

const tick = () => new Promise((r) => setTimeout(r, 2));
async function waitUntil(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await tick();
  expect(ok(), "the queue did not reach the expected state").to.equal(true);
}

describe("listings: the verification queue", () => {
  it("a flood by one seller does not starve another: its job starts among the next maxRunning", async () => {
    const q = new VerificationQueue({ maxRunning: 2, perSellerCap: 32 });
    const order: string[] = [];
    let running = 0;
    let peak = 0;
    const job = (name: string) => async () => {
      order.push(name);
      peak = Math.max(peak, ++running);
      await tick();
      running--;
    };
    for (let i = 0; i < 20; i++) expect(q.offer(`a${i}`, "0xAAAA", job(`a${i}`))).to.equal(true);
    expect(q.offer("b0", "0xbbbb", job("b0"))).to.equal(true);
    await q.idle();
    expect(order).to.have.length(21);
    expect(peak).to.equal(2);
    // a0 and a1 took both slots before b0 arrived; b0 is the next one served
    expect(order.indexOf("b0")).to.be.at.most(2);
  });

  it("a flooder's slow verifications: a second seller never waits behind the flooder's second slot", async () => {
    // the flooder held both slots while alone; the other seller then takes each slot that frees
    const q = new VerificationQueue({ maxRunning: 2, perSellerCap: 32 });
    const gates = new Map<string, () => void>();
    const started: string[] = [];
    const counts: string[] = [];
    const slow = (name: string) => (at: StartCounts) =>
      new Promise<void>((r) => {
        started.push(name);
        counts.push(`${name} ${at.running}/${at.sellerRunning}/${at.waiting}`);
        gates.set(name, r);
      });
    const fast = (name: string) => async (at: StartCounts) => {
      started.push(name);
      counts.push(`${name} ${at.running}/${at.sellerRunning}/${at.waiting}`);
      await tick();
    };
    for (let i = 0; i < 20; i++) q.offer(`a${i}`, "0xaaaa", slow(`a${i}`));
    expect(started).to.deep.equal([]);
    await tick();
    expect(started).to.deep.equal(["a0", "a1"]);
    expect(q.runningFor("0xAAAA")).to.equal(2);
    q.offer("b0", "0xbbbb", fast("b0"));
    q.offer("b1", "0xbbbb", fast("b1"));
    q.offer("b2", "0xbbbb", fast("b2"));
    gates.get("a0")!();
    // b0, b1, b2 each take the slot a0 freed while a1 still runs: the flooder gets no second slot
    await waitUntil(() => started.length === 5);
    expect(started).to.deep.equal(["a0", "a1", "b0", "b1", "b2"]);
    await tick();
    expect(started).to.deep.equal(["a0", "a1", "b0", "b1", "b2", "a2"]);
    expect([q.runningFor("0xaaaa"), q.runningFor("0xbbbb")]).to.deep.equal([2, 0]);
    // each job is told the counts as it started (running / its seller's running / waiting), itself in them
    expect(counts).to.deep.equal([
      "a0 1/1/0",
      "a1 2/2/0",
      "b0 2/1/20",
      "b1 2/1/19",
      "b2 2/1/18",
      "a2 2/2/17",
    ]);
    for (let i = 1; i < 20; i++) {
      await waitUntil(() => gates.has(`a${i}`));
      gates.get(`a${i}`)!();
    }
    await q.idle();
    expect(started).to.have.length(23);
  });

  it("at every start, no other seller with waiting work runs fewer than the starting one (a slow flooder, 4 quick sellers, random durations)", async () => {
    const q = new VerificationQueue({ maxRunning: 3, perSellerCap: 64 });
    const sellers = ["s0", "s1", "s2", "s3", "s4"];
    const waiting = new Map(sellers.map((s) => [s, 0]));
    const running = new Map(sellers.map((s) => [s, 0]));
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const violations: string[] = [];
    let peak = 0;
    let ran = 0;
    const job = (seller: string, ms: number) => async () => {
      const mine = running.get(seller)!;
      for (const [other, w] of waiting)
        if (other !== seller && w > 0 && running.get(other)! < mine)
          violations.push(
            `${seller} started its ${mine + 1}th while ${other} waited with ${running.get(other)}`,
          );
      waiting.set(seller, waiting.get(seller)! - 1);
      running.set(seller, mine + 1);
      peak = Math.max(
        peak,
        [...running.values()].reduce((a, b) => a + b),
      );
      await new Promise((r) => setTimeout(r, ms));
      running.set(seller, running.get(seller)! - 1);
      ran++;
    };
    let n = 0;
    // s0 floods 40 slow ones at once; the others offer quick ones over time
    for (let i = 0; i < 40; i++) {
      waiting.set("s0", waiting.get("s0")! + 1);
      q.offer(`s0:${n++}`, "s0", job("s0", 6 + Math.floor(rand() * 10)));
    }
    for (let round = 0; round < 8; round++) {
      await tick();
      for (const s of sellers.slice(1))
        if (rand() < 0.6) {
          waiting.set(s, waiting.get(s)! + 1);
          q.offer(`${s}:${n++}`, s, job(s, 1 + Math.floor(rand() * 3)));
        }
    }
    await q.idle();
    expect(ran).to.equal(n);
    expect(peak).to.equal(3);
    expect(violations).to.deep.equal([]);
  });

  it("caps each seller's waiting jobs; the refused offer is taken once there is room", async () => {
    const q = new VerificationQueue({ maxRunning: 1, perSellerCap: 2 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ran: string[] = [];
    q.offer("x0", "s", async () => {
      ran.push("x0");
      await gate;
    });
    expect(q.offer("x1", "s", async () => void ran.push("x1"))).to.equal(true);
    expect(q.offer("x2", "s", async () => void ran.push("x2"))).to.equal(true);
    expect(q.offer("x3", "s", async () => void ran.push("x3"))).to.equal(false);
    expect(q.offer("y0", "t", async () => void ran.push("y0"))).to.equal(true);
    expect(q.waiting).to.equal(3);
    release();
    await q.idle();
    expect(q.offer("x3", "s", async () => void ran.push("x3"))).to.equal(true);
    await q.idle();
    expect(ran).to.deep.equal(["x0", "y0", "x1", "x2", "x3"]);
  });

  it("a key offered again while known runs once; a failing job frees its slot", async () => {
    const q = new VerificationQueue({ maxRunning: 1, perSellerCap: 4 });
    let n = 0;
    q.offer("k", "s", async () => {
      n++;
      await tick();
      throw new Error("boom");
    });
    q.offer("k", "s", async () => void n++);
    await q.idle();
    expect(n).to.equal(1);
    expect(q.running).to.equal(0);
    q.offer("k", "s", async () => void n++);
    await q.idle();
    expect(n).to.equal(2);
  });

  it("refuses a queue without room", () => {
    expect(() => new VerificationQueue({ maxRunning: 0, perSellerCap: 1 })).to.throw(RangeError);
  });
});
