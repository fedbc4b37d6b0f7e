/**
 * The reservation-value text guard (reservation-text-guard.ts): an agent's own reservation value
 * is found in any rendering a reader could turn back into it — and ordinary text, other amounts
 * and far-off roundings pass. In the engine it is the second line behind the message rule
 * (message-rule.ts; adversarial.test.ts).
 */
import { expect } from "chai";
import { parseEther } from "ethers";
import { findDisclosure } from "../../oracle/negotiation/reservation-text-guard.ts";

const FLOOR = parseEther("0.612345"); // 612345000000000000 wei
const ESCROW = parseEther("1.5"); // the floor is 40.823 % of it

const found: [string, string, RegExp][] = [
  ["exact decimal ETH", "My floor is 0.612345 ETH.", /number in eth/],
  ["rounded to two places", "I can't go under 0.61.", /number in eth/],
  ["rounded to one place, no leading zero", "roughly .6 is my line", /number in eth/],
  ["rounded up", "nothing below 0.613, sorry", /number in eth/],
  ["truncated", "around 0.6123", /number in eth/],
  ["unit glued to the number", "0.6123ETH", /number in eth/],
  ["Ξ sign before", "Ξ0.612 and not less", /number in eth/],
  ["wei", "that is 612345000000000000 wei", /number in wei/],
  ["wei with thousands separators", "612,345,000,000,000,000 wei", /number in wei/],
  ["gwei", "my minimum is 612345000 gwei", /number in gwei/],
  ["gwei with spaces as separators", "612 345 000 gwei", /number in gwei/],
  ["finney", "six hundred twelve finney", /words in finney/],
  ["finney in digits", "612 finney would do", /number in finney/],
  ["bare wei number, no unit", "ref 612345000000000000", /number in wei/],
  ["words", "zero point six one two", /words in eth/],
  ["words, hyphenated", "sixty-one hundredths of an ether", /words in eth/],
  ["a percentage of the escrow", "I need 40.8% of what you escrowed", /percentage of the escrow/],
  ["a rounded percentage", "about 41 percent of the escrow", /percentage of the escrow/],
  ["a percentage in words", "forty point eight percent", /percentage of the escrow/],
  ["exponent notation", "6.12e-1 ETH", /number in eth/],
  ["decimal comma", "0,612 ETH", /number in eth/],
  ["full-width digits", "０.６１２ ETH", /number in eth/],
  ["zero-width space inside", "0.6\u200b12 ETH", /number in eth/],
  ["spaced decimal point", "0 . 612", /number in eth/],
  ["within 1 % though not a rounding", "I'd take 0.615", /number in eth/],
];

const clean: [string, string][] = [
  ["plain text", "This dataset is verified by the enclave; let us talk."],
  ["another price far away", "I can do 0.75 ETH today."],
  ["a coarse rounding too far off (1 ETH)", "about 1 ETH, in the big picture"],
  ["digits inside words", "data4u v2 release"],
  ["round counters", "round 2 of 8"],
  ["a far percentage", "a 10% discount"],
  ["number words that are not amounts nearby", "we have seven languages and forty intents"],
  ["an empty message", ""],
];

describe("text guard: an agent's own limit in any rendering", () => {
  for (const [name, text, kind] of found)
    it(`finds ${name}: ${JSON.stringify(text)}`, () => {
      const d = findDisclosure(text, FLOOR, ESCROW);
      expect(d, text).to.not.equal(undefined);
      expect(d!.kind).to.match(kind);
      expect(JSON.stringify(d)).to.not.match(/0\.61|612/); // names the kind, never the value
    });
  for (const [name, text] of clean)
    it(`passes ${name}: ${JSON.stringify(text)}`, () => {
      expect(findDisclosure(text, FLOOR, ESCROW)).to.equal(undefined);
    });

  it("checks each agent against its own value only (the budget is not the floor)", () => {
    const budget = parseEther("0.987654");
    expect(findDisclosure("my budget is 0.99", budget, ESCROW)).to.not.equal(undefined);
    expect(findDisclosure("my budget is 0.99", FLOOR, ESCROW)).to.equal(undefined);
  });
});
