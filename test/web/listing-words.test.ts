/**
 * Listings in plain words (web/src/listing-words.ts): each status and pricing mode as the browse
 * page says it, the oracle's verdicts, and every reason a buyer cannot buy now — a withdrawn,
 * expired or retired-key listing, its own listing, an unverified one, a posted price above the
 * escrow — refused before anything is sealed or sent, with what to do.
 */
import { expect } from "chai";
import { parseEther } from "ethers";
import { buyProblem, listingStatusWords, pricingWords, verdictWords } from "../../web/src/listing-words.ts";
// the dapp's listing is the SDK's, read by the SDK's listingViewOf (web/src/listings.ts)
import { listingViewOf, type ListingView } from "../../sdk/src/listings.ts";

const SELLER = "0x90F79bf6EB2c4f876e5c17a4a97B5C2b6Cda05e6";
const BUYER = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const NOW = 1_800_000_000;
const listing = (over: Partial<ListingView> = {}): ListingView => ({
  listingId: 1n,
  seller: SELLER,
  dataRoot: `0x${"5a".repeat(32)}`,
  version: 1,
  mode: "Posted",
  postedPriceWei: parseEther("1.5"),
  expiresAt: 0,
  encryptionKey: `0x${"11".repeat(32)}`,
  status: "Active",
  ...over,
});
const problem = (l: ListingView, escrow = parseEther("2"), verdict: "verified" | undefined = "verified") =>
  buyProblem(l, BUYER, escrow, NOW, verdict);

describe("dapp listings: words and buy checks", () => {
  it("says each status and pricing mode in plain words", () => {
    expect(listingStatusWords(listing())).to.equal("On sale");
    expect(listingStatusWords(listing({ expiresAt: 1_800_086_400 }))).to.equal("On sale until 2027-01-16");
    expect(listingStatusWords(listing({ status: "Withdrawn" }))).to.equal("Withdrawn by the seller");
    expect(listingStatusWords(listing({ status: "Expired", expiresAt: NOW }))).to.equal(
      "Expired on 2027-01-15",
    );
    expect(listingStatusWords(listing({ status: "RepublishNeeded" }))).to.match(/^Re-publish needed/);
    expect(pricingWords(listing())).to.equal("1.5 ETH (posted price)");
    expect(pricingWords(listing({ mode: "Negotiated", postedPriceWei: 0n }))).to.equal(
      "Negotiated (within the seller's sealed floor)",
    );
    expect(verdictWords("verified")).to.match(/^✓ Verified/);
    expect(verdictWords("datasheet-failed")).to.equal("✗ The seller's datasheet is false");
    expect(verdictWords(undefined)).to.match(/^Not verified yet/);
  });

  it("lets a buyer buy a live, verified listing its escrow covers", () => {
    expect(problem(listing())).to.equal(null);
    expect(problem(listing(), parseEther("1.5"))).to.equal(null);
    expect(problem(listing({ mode: "Negotiated", postedPriceWei: 0n }), 1n)).to.equal(null);
    expect(problem(listing({ expiresAt: NOW }))).to.equal(null);
  });

  it("refuses, saying what to do, every listing the contract or the oracle would refuse", () => {
    const says = (l: ListingView, escrow?: bigint, verdict?: "verified") => {
      const p = escrow === undefined ? problem(l) : problem(l, escrow, verdict ?? "verified");
      expect(p, "a problem").to.not.equal(null);
      expect(p!.code).to.equal("dapp.bad_input");
      return `${p!.message} — ${p!.hint ?? ""}`;
    };
    expect(says(listing(), parseEther("1"))).to.equal(
      "the posted price 1.5 ETH is above your escrow 1.0 ETH — escrow at least 1.5 ETH",
    );
    expect(says(listing({ status: "Withdrawn" }))).to.match(/^the seller withdrew this listing/);
    expect(says(listing({ status: "Expired", expiresAt: NOW - 10 }))).to.match(/^this listing expired on/);
    // past its expiry by the chain's clock, even before the status says so
    expect(says(listing({ expiresAt: NOW - 1 }))).to.match(/^this listing expired on/);
    expect(says(listing({ status: "RepublishNeeded" }))).to.match(
      /retired oracle key.*ask the seller to update/,
    );
    expect(says(listing({ status: "None" }))).to.match(/^no listing has this id/);
    expect(says(listing({ seller: BUYER }))).to.match(/^this is your own listing/);
    expect(says(listing(), 0n)).to.match(/^the escrow must be more than 0 ETH/);
    const unverified = buyProblem(listing(), BUYER, parseEther("2"), NOW, "datasheet-failed");
    expect(unverified?.message).to.equal(
      "the oracle has not verified this listing (✗ The seller's datasheet is false)",
    );
    expect(buyProblem(listing(), BUYER, parseEther("2"), NOW, undefined)?.message).to.match(
      /Not verified yet/,
    );
  });

  it("reads getListing's enums by name and refuses a value it does not know", () => {
    const raw = {
      seller: SELLER,
      dataRoot: `0x${"5a".repeat(32)}`,
      version: 3n,
      mode: 1n,
      postedPrice: parseEther("1.5"),
      expiresAt: 0n,
      encryptionKey: `0x${"11".repeat(32)}`,
      status: 4n,
    };
    expect(listingViewOf(1n, raw)).to.deep.equal(listing({ version: 3, status: "RepublishNeeded" }));
    expect(listingViewOf(1n, { ...raw, mode: 0n, status: 2n })).to.include({
      mode: "Negotiated",
      status: "Withdrawn",
    });
    expect(() => listingViewOf(1n, { ...raw, status: 5n })).to.throw(/unknown listing status 5/);
  });
});
