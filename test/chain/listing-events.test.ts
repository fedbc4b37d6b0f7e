/**
 * The oracle reads listing events by their declared signatures (oracle/chain/dealproof.ts):
 * they must be exactly the events the compiled IListingRegistry declares, or the listener would
 * silently miss listings.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Interface } from "ethers";
import { LISTING_TOPICS, listingEventsInterface } from "../../oracle/chain/dealproof.ts";

const artifact = join(
  import.meta.dirname,
  "..",
  "..",
  "artifacts",
  "contracts",
  "interfaces",
  "IListingRegistry.sol",
  "IListingRegistry.json",
);

describe("chain: the listing events the oracle reads", () => {
  it("are IListingRegistry's compiled events, topic for topic", () => {
    const compiled = new Interface(
      (JSON.parse(readFileSync(artifact, "utf8")) as { abi: unknown[] }).abi as never,
    );
    const names = ["ListingPublished", "ListingWithdrawn", "ListingDealCreated"];
    expect(LISTING_TOPICS).to.deep.equal(names.map((n) => compiled.getEvent(n)!.topicHash));
    for (const n of names)
      expect(listingEventsInterface.getEvent(n)!.format("full")).to.equal(
        compiled.getEvent(n)!.format("full"),
      );
  });
});
