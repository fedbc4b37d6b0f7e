/**
 * "My deals" in plain words (web/src/deal-words.ts) and the explorer links (web/src/explorers.ts):
 * each state as its phrase, the price column, and the next action for the buyer and the seller in
 * every state, before and after the deadline, with and without a pending trust change.
 */
import { expect } from "chai";
import { parseEther } from "ethers";
import {
  actionWords,
  nextActions,
  priceWords,
  stateWords,
  type DealFacts,
} from "../../web/src/deal-words.ts";
import { addressUrl, txUrl } from "../../web/src/explorers.ts";

const NOW = 1_800_000_000;
const facts = (over: Partial<DealFacts>): DealFacts => ({
  role: "buyer",
  state: "Accepted",
  escrow: parseEther("2.5"),
  deadline: NOW + 3600,
  now: NOW,
  cancelled: false,
  payout: 0n,
  withdrawn: false,
  cancelAllowed: false,
  ...over,
});
const kinds = (f: DealFacts) => nextActions(f).map((a) => a.kind);

describe("dapp my deals: words and next actions", () => {
  it("says each state in plain words, the deadline deciding for a live deal", () => {
    expect(stateWords(facts({ state: "Open" }))).to.equal("Waiting for the seller to accept");
    expect(stateWords(facts({ state: "Open", deadline: NOW - 1 }))).to.match(
      /^Expired before the seller accepted/,
    );
    expect(stateWords(facts({}))).to.equal("With the oracle: checking and pricing in the enclave");
    expect(stateWords(facts({ deadline: NOW - 1 }))).to.match(
      /^Past its deadline unsettled: the escrow can be refunded/,
    );
    // the deadline second itself is still in time (the contract refunds only after it)
    expect(stateWords(facts({ deadline: NOW }))).to.match(/^With the oracle/);
    expect(
      stateWords(facts({ state: "Settled", settled: { agreed: true, price: parseEther("1.5") } })),
    ).to.equal("Sold for 1.5 ETH");
    expect(stateWords(facts({ state: "Settled", settled: { agreed: false, price: 0n } }))).to.equal(
      "No deal: the whole escrow is the buyer's again",
    );
    expect(stateWords(facts({ state: "Refunded" }))).to.match(/^Refunded after the deadline/);
    expect(stateWords(facts({ state: "Refunded", cancelled: true }))).to.match(
      /^Cancelled while a trust change/,
    );
    expect(stateWords(facts({ state: "None" }))).to.match(/^Unknown/);
  });

  it("prices a live deal by its escrow and an ended one by its outcome", () => {
    expect(priceWords(facts({}))).to.equal("up to 2.5 ETH");
    expect(
      priceWords(facts({ state: "Settled", settled: { agreed: true, price: parseEther("0.8") } })),
    ).to.equal("0.8 ETH");
    expect(priceWords(facts({ state: "Settled", settled: { agreed: false, price: 0n } }))).to.equal(
      "no sale",
    );
    expect(priceWords(facts({ state: "Refunded" }))).to.equal("no sale");
  });

  it("names the next action of a live deal for each party", () => {
    expect(kinds(facts({ state: "Open" }))).to.deep.equal(["wait-seller"]);
    expect(kinds(facts({ state: "Open", role: "seller" }))).to.deep.equal(["accept"]);
    expect(kinds(facts({}))).to.deep.equal(["wait-oracle"]);
    expect(kinds(facts({ role: "seller" }))).to.deep.equal(["wait-oracle"]);
    // after the deadline the buyer refunds; the seller has nothing to do
    expect(kinds(facts({ deadline: NOW - 1 }))).to.deep.equal(["refund"]);
    expect(kinds(facts({ state: "Open", deadline: NOW - 1 }))).to.deep.equal(["refund"]);
    expect(kinds(facts({ deadline: NOW - 1, role: "seller" }))).to.deep.equal(["wait-buyer-refund"]);
    // cancel only while allowed, and after the main action
    expect(kinds(facts({ cancelAllowed: true }))).to.deep.equal(["wait-oracle", "cancel"]);
    expect(kinds(facts({ state: "Open", role: "seller", cancelAllowed: true }))).to.deep.equal([
      "accept",
      "cancel",
    ]);
  });

  it("offers the withdrawal of what this wallet is owed, then nothing once withdrawn", () => {
    const sold = { state: "Settled" as const, settled: { agreed: true, price: parseEther("1.5") } };
    expect(nextActions(facts({ ...sold, payout: parseEther("1") }))).to.deep.equal([
      { kind: "withdraw", amount: parseEther("1") },
      { kind: "receive" },
    ]);
    expect(kinds(facts({ ...sold, payout: 0n, withdrawn: true }))).to.deep.equal(["receive"]);
    expect(kinds(facts({ ...sold, role: "seller", payout: parseEther("1.5") }))).to.deep.equal(["withdraw"]);
    expect(kinds(facts({ ...sold, role: "seller", withdrawn: true }))).to.deep.equal(["none"]);
    const noDeal = { state: "Settled" as const, settled: { agreed: false, price: 0n } };
    expect(nextActions(facts({ ...noDeal, payout: parseEther("2.5") }))).to.deep.equal([
      { kind: "withdraw", amount: parseEther("2.5") },
    ]);
    expect(kinds(facts({ ...noDeal, role: "seller" }))).to.deep.equal(["none"]);
    // a terminal deal offers no cancel, even while a change is pending
    expect(kinds(facts({ state: "Refunded", payout: 1n, cancelAllowed: true }))).to.deep.equal(["withdraw"]);
    expect(kinds(facts({ role: "none" }))).to.deep.equal(["none"]);
  });

  it("words each action as a sentence with its amount", () => {
    expect(actionWords({ kind: "withdraw", amount: parseEther("2.5") })).to.equal("Withdraw 2.5 ETH");
    expect(actionWords({ kind: "refund" })).to.match(/^Refund: the deadline has passed/);
    expect(actionWords({ kind: "wait-oracle" })).to.match(/^Wait for the oracle/);
    expect(actionWords({ kind: "none" })).to.equal("Nothing left to do");
  });

  it("links Etherscan on mainnet and Sepolia, and nothing on a local chain", () => {
    const h = `0x${"ab".repeat(32)}`;
    expect(txUrl(1, h)).to.equal(`https://etherscan.io/tx/${h}`);
    expect(txUrl(11155111, h)).to.equal(`https://sepolia.etherscan.io/tx/${h}`);
    expect(txUrl(31337, h)).to.equal(undefined);
    expect(addressUrl(11155111, "0x01")).to.equal("https://sepolia.etherscan.io/address/0x01");
    expect(addressUrl(31337, "0x01")).to.equal(undefined);
  });
});
