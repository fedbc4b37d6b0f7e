/**
 * The store returns typed rows: the outcome column comes out parsed and validated, and a row that
 * does not fit its schema (corrupt JSON, a missing field, an unknown status) is refused with a
 * message naming the database, never handed on half-typed.
 */
import { expect } from "chai";
import { Store, type StoredOutcome } from "../../oracle/daemon/store.ts";

const outcome: StoredOutcome = {
  settlement: {
    dealId: "7",
    agreed: true,
    price: "800",
    termsHash: "0x" + "11".repeat(32),
    dataRoot: "0x" + "22".repeat(32),
    transcriptHash: "0x" + "33".repeat(32),
    delivery: "0x1234",
  },
  termsJson: '{"price":"800"}',
  transcriptJson: "[]",
  reason: "agreed",
};

function withDeal(): Store {
  const store = new Store(":memory:");
  store.applyEvents(
    [
      {
        kind: "created",
        id: "7",
        buyer: "0x0000000000000000000000000000000000000001",
        seller: "0x0000000000000000000000000000000000000002",
        escrow: "1000",
        dataRoot: outcome.settlement.dataRoot,
        deadline: 2_000_000_000,
        sealed: "0xaa",
        block: 5,
      },
      { kind: "accepted", id: "7", sealed: "0xbb" },
    ],
    5,
  );
  return store;
}

describe("oracle store: parsed, typed rows", () => {
  it("returns the saved outcome parsed, and null before one is built", () => {
    const store = withDeal();
    expect(store.get("7")!.outcome).to.equal(null);
    store.saveOutcome("7", outcome);
    const row = store.get("7")!;
    expect(row.status).to.equal("outcome_built");
    expect(row.outcome).to.deep.equal(outcome);
    expect(store.pending().map((r) => r.outcome)).to.deep.equal([outcome]);
    expect(store.cursor()).to.equal(5);
    expect(store.counts()).to.deep.equal({ outcome_built: 1 });
  });

  for (const [what, sql, pending] of [
    ["an outcome that is not JSON", "UPDATE deals SET outcome = '{not json'", true],
    [
      "an outcome missing its settlement",
      `UPDATE deals SET outcome = '{"termsJson":"{}","reason":"x"}'`,
      true,
    ],
    ["an unknown status", "UPDATE deals SET status = 'bogus'", false],
  ] as const) {
    it(`refuses a row with ${what}, naming the database`, () => {
      const store = withDeal();
      store.saveOutcome("7", outcome);
      store.db.exec(sql);
      expect(() => store.get("7"))
        .to.throw(/oracle's database holds a row it cannot read/)
        .with.property("hint")
        .that.matches(/DEALPROOF_DB/);
      expect(() => store.get("7")).to.throw(/outcome|status/); // names the field, not its value
      expect(() => store.get("7")).to.not.throw(/not json'|800|bogus/);
      // a second, healthy deal still comes back: one damaged row never stops the others
      store.applyEvents(
        [
          {
            kind: "created",
            id: "8",
            buyer: "0x0000000000000000000000000000000000000001",
            seller: "0x0000000000000000000000000000000000000002",
            escrow: "1",
            dataRoot: outcome.settlement.dataRoot,
            deadline: 2_000_000_000,
            sealed: "0xaa",
            block: 6,
          },
          { kind: "accepted", id: "8", sealed: "0xbb" },
        ],
        6,
      );
      const skipped: string[] = [];
      expect(store.pending((id) => skipped.push(id)).map((r) => r.id)).to.deep.equal(["8"]);
      expect(skipped).to.deep.equal(pending ? ["7"] : []);
    });
  }
});
