/**
 * The store returns typed rows: the outcome column comes out parsed and validated, and a row that
 * does not fit its schema (corrupt JSON, a missing field, an unknown status) is refused with a
 * message naming the database, never handed on half-typed.
 */
import { expect } from "chai";
import { Store } from "../../oracle/daemon/store.ts";
import { acceptedEvent, createdEvent, storedOutcome } from "../fixtures/settlements.ts";

const outcome = storedOutcome(7n, { termsJson: '{"price":"800"}' });

function withDeal(): Store {
  const store = new Store(":memory:");
  store.applyEvents([createdEvent(7n, 5), acceptedEvent(7n)], 5);
  return store;
}

describe("oracle store: parsed, typed rows", () => {
  it("returns the saved outcome parsed, and null before one is built", () => {
    const store = withDeal();
    expect(store.get(7n)!.outcome).to.equal(null);
    store.saveOutcome(7n, outcome);
    const row = store.get(7n)!;
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
      store.saveOutcome(7n, outcome);
      store.db.exec(sql);
      expect(() => store.get(7n))
        .to.throw(/oracle's database holds a row it cannot read/)
        .with.property("hint")
        .that.matches(/DEALPROOF_DB/);
      expect(() => store.get(7n)).to.throw(/outcome|status/); // names the field, not its value
      expect(() => store.get(7n)).to.not.throw(/not json'|800|bogus/);
      // a second, healthy deal still comes back: one damaged row never stops the others
      store.applyEvents([createdEvent(8n, 6, { escrow: "1" }), acceptedEvent(8n)], 6);
      const skipped: string[] = [];
      expect(store.pending((id) => skipped.push(id)).map((r) => r.id)).to.deep.equal([8n]);
      expect(skipped).to.deep.equal(pending ? ["7"] : []);
    });
  }
});
