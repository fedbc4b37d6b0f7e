/**
 * The verification queue: at most maxRunning at once, a cap on each seller's waiting jobs (an offer
 * over it is refused, to be made again), a job known by its key runs once, and round-robin over
 * sellers, so one seller's flood of 20 listings does not starve another seller's one.
 */
import { expect } from "chai";
import { VerificationQueue } from "../../oracle/listings/queue.ts";

const tick = () => new Promise((r) => setTimeout(r, 2));

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
