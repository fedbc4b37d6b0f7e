/**
 * One ETH-amount rule for the tasks, the dapp and the negotiation engine (sdk/src/eth-amount.ts):
 * exact wei for plain decimals, undefined for anything else — and the engine's agent prices add
 * only surrounding space and a 10-whole-digit cap on top.
 */
import { expect } from "chai";
import { parseEthAmount } from "../../sdk/src/eth-amount.ts";
import { parseEthExact } from "../../oracle/negotiation/money.ts";

describe("sdk parseEthAmount", () => {
  it("parses plain decimals to exact wei", () => {
    expect(parseEthAmount("1.5")).to.equal(1_500_000_000_000_000_000n);
    expect(parseEthAmount("0")).to.equal(0n);
    expect(parseEthAmount("0.000000000000000001")).to.equal(1n);
    expect(parseEthAmount("123456789012")).to.equal(123456789012n * 10n ** 18n);
  });

  for (const bad of [
    "",
    "-1",
    "+1",
    "1e18",
    ".5",
    "1.",
    "01",
    " 1",
    "1 ",
    "1,5",
    "0x10",
    "1.0000000000000000001",
  ])
    it(`refuses ${JSON.stringify(bad)}`, () => expect(parseEthAmount(bad)).to.equal(undefined));

  it("is the engine's rule for agent prices, with space trimmed and at most 10 whole digits", () => {
    expect(parseEthExact(" 0.73 ")).to.equal(730_000_000_000_000_000n);
    expect(parseEthExact("9999999999")).to.equal(9_999_999_999n * 10n ** 18n);
    expect(parseEthExact("10000000000")).to.equal(undefined);
    expect(parseEthExact("1e3")).to.equal(undefined);
  });
});
