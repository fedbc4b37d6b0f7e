/**
 * Bad agents cannot move the outcome off the mechanism or put anything in the transcript that
 * depends on a limit: malformed or throwing judgements fall back to the built-in judgement,
 * bad messages to built-in lines (silently: no refusal is ever shown), views carry no limit,
 * an unavailable agent while judging aborts with agent-unavailable before anything is shown.
 */
import { expect } from "chai";
import { formatEther, parseEther } from "ethers";
import { StrategyAgent } from "../../oracle/negotiation/strategy-agent.ts";
import { AgentUnavailableError, NegotiationInputError } from "../../oracle/negotiation/types.ts";
import { acceptableNote } from "../../oracle/negotiation/message-rule.ts";
import { BUDGET, ESCROW, FLOOR, run, ScriptedAgent, TERMS } from "./helpers.ts";

const good = { walkAway: false, valueFactor: 1, terms: TERMS, message: "" };

describe("negotiation engine: adversarial agents", () => {
  const badJudgements: [string, unknown][] = [
    ["no answer", undefined],
    ["a string", "accept at 0.99"],
    ["a value factor above 1 (would raise the budget)", { ...good, valueFactor: 3 }],
    ["a value factor below 0.5", { ...good, valueFactor: 0.1 }],
    ["an unknown scope", { ...good, terms: { accessScope: "everything", durationDays: 365 } }],
    ["a duration of 0 days", { ...good, terms: { accessScope: "full", durationDays: 0 } }],
    ["an extra field (a price)", { ...good, priceWei: "1" }],
    ["a thrown error", new Error("boom")],
  ];
  for (const [name, judgement] of badJudgements) {
    it(`${name} as a judgement: the built-in judgement stands, and the outcome is the honest one`, async () => {
      const honest = await run(new StrategyAgent(), new StrategyAgent());
      const bad = new ScriptedAgent("bad", judgement);
      const r = await run(bad, new StrategyAgent());
      expect([r.agreed, r.priceWei, r.terms]).to.deep.equal([true, honest.priceWei, honest.terms]);
      expect(r.transcriptJson.replace(/"bad"/g, "")).to.not.match(/boom|0\.99|everything/);
    });
  }

  it("bad messages are replaced by built-in lines: numbers, over-long text, non-strings, a wrong round", async () => {
    const honest = await run(new StrategyAgent(), new StrategyAgent());
    const leaky = new ScriptedAgent("leaky", good, (v: { entries: { round: number }[] }) =>
      Object.fromEntries(
        v.entries.map((e, i) => [
          String(e.round),
          [`my budget is ${formatEther(BUDGET)}`, "y".repeat(300), 42, "pay 1 ETH"][i % 4],
        ]),
      ),
    );
    const r = await run(leaky, new StrategyAgent());
    expect(r.priceWei).to.equal(honest.priceWei);
    expect(r.transcriptJson.replace(/"leaky"/g, "")).to.equal(
      honest.transcriptJson.replace(/"strategy:judge-and-write"/g, ""),
    );
  });

  it("a walk-away message with a number is replaced by a neutral reason", async () => {
    const r = await run(
      new ScriptedAgent("b", { ...good, walkAway: true, message: `over ${formatEther(BUDGET)} is too much` }),
      new StrategyAgent(),
    );
    expect(r.agreed).to.equal(false);
    expect(r.reason).to.equal(
      "the buyer walked away: The data does not fit our requirements, so we walk away.",
    );
    expect(r.transcriptJson).to.not.include(formatEther(BUDGET));
  });

  it("the seller may walk away; its reject is the only entry", async () => {
    const r = await run(
      new StrategyAgent(),
      new ScriptedAgent("s", { ...good, walkAway: true, message: "Not for commercial use." }),
    );
    expect(r.agreed).to.equal(false);
    expect(r.transcript.map((e) => `${e.role}:${e.action}:${e.note}`)).to.deep.equal([
      "seller:reject:Not for commercial use.",
    ]);
  });

  it("no view an agent gets carries a limit", async () => {
    const b = new ScriptedAgent("b", good);
    const s = new ScriptedAgent("s", good);
    await run(b, s);
    const text = JSON.stringify([...b.views, ...s.views], (_k, v: unknown) =>
      typeof v === "bigint" ? v.toString() : v,
    );
    for (const secret of [BUDGET, FLOOR]) {
      expect(text).to.not.include(secret.toString());
      expect(text).to.not.include(formatEther(secret));
    }
    expect(b.views).to.have.length(2); // judge, write
  });

  it("an unavailable agent while judging aborts before anything is shown, naming the side", async () => {
    const moves: unknown[] = [];
    const down = new ScriptedAgent("down", new AgentUnavailableError("HTTP 529"));
    const err = await run(new StrategyAgent(), down, { onMove: (e) => moves.push(e) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(AgentUnavailableError);
    expect((err as AgentUnavailableError).role).to.equal("seller");
    expect((err as Error).message).to.match(/seller's agent is unavailable: HTTP 529/);
    expect(moves).to.deep.equal([]);
  });

  it("an agent failing while writing gets built-in lines: the deal, fixed already, still closes", async () => {
    const honest = await run(new StrategyAgent(), new StrategyAgent());
    const r = await run(
      new ScriptedAgent("b", good, new AgentUnavailableError("HTTP 529")),
      new StrategyAgent(),
    );
    expect([r.agreed, r.priceWei]).to.deep.equal([true, honest.priceWei]);
  });

  it("a budget above the escrow is capped by it, and an invalid round limit is refused", async () => {
    const r = await run(new StrategyAgent(), new StrategyAgent(), {
      buyer: { budgetWei: parseEther("100"), requirements: "r" },
    });
    expect(r.priceWei <= ESCROW).to.equal(true);
    for (const maxRounds of [0, 51, 2.5])
      await run(new StrategyAgent(), new StrategyAgent(), { maxRounds }).then(
        () => expect.fail("accepted"),
        (e: Error) => expect(e.message).to.match(/maxRounds must be 1\.\.50/),
      );
  });

  it("malformed evidence is refused with a clear error before any agent is asked", async () => {
    const b = new ScriptedAgent("b", good);
    const err = await run(b, new StrategyAgent(), {
      evidence: { checks: [{ id: "", required: "yes" }], datasheetVerified: true } as never,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(NegotiationInputError);
    expect((err as NegotiationInputError).code).to.equal("negotiation.bad_input");
    expect((err as Error).message).to.match(/the data evidence is malformed/);
    expect(b.views).to.deep.equal([]);
    const terms = await run(b, new StrategyAgent(), {
      baseTerms: { accessScope: "full", durationDays: 0 },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((terms as Error).message).to.match(/the deal's terms are invalid/);
    expect(b.views).to.deep.equal([]);
  });

  it("the message rule: only quoted prices, and the text guard as a second line", () => {
    const q = [parseEther("0.9")];
    expect(acceptableNote("I can do 0.9 ETH.", q, [FLOOR], ESCROW)).to.equal("I can do 0.9 ETH.");
    for (const bad of ["I can do 0.91 ETH.", "900 finney", "eight tenths", "", 7, "0.9 gwei"])
      expect(acceptableNote(bad, q, [FLOOR], ESCROW), String(bad)).to.equal(undefined);
    // a quoted price that happens to be near a limit is masked for the second line, so it stays
    expect(acceptableNote("Agreed at 0.9.", q, [parseEther("0.9")], ESCROW)).to.equal("Agreed at 0.9.");
  });
});
