/**
 * Listings in plain words (DESIGN §11): a listing's status (on sale, withdrawn, expired,
 * re-publish needed), its pricing (a posted price, or negotiated within the seller's sealed
 * floor), the oracle's datasheet verdict, and what stops a buyer from buying it now — a
 * withdrawn, expired or retired-key listing, or a posted price above the escrow — said before any
 * ETH moves. Pure, unit-tested under Node (test/web/listing-words.test.ts).
 */
import { formatEther } from "ethers";
import { badInput } from "./bad-input.ts";
import type { DealProofError } from "../../sdk/src/errors.ts";
// a listing by name as the SDK reads it (its enums from the SDK's one table, checked against the contract)
import type { ListingView } from "../../sdk/src/listings.ts";

/** The oracle's verdicts on a listing (its verified-listing record, sdk/src/verified-listing.ts on the oracle's branch). */
export type ListingVerdict =
  "verified" | "datasheet-failed" | "data-unavailable" | "identity-failed" | "unopenable";

const eth = (wei: bigint) => `${formatEther(wei)} ETH`;
const day = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);

export function listingStatusWords(l: ListingView): string {
  switch (l.status) {
    case "None":
      return "No such listing";
    case "Active":
      return l.expiresAt === 0 ? "On sale" : `On sale until ${day(l.expiresAt)}`;
    case "Withdrawn":
      return "Withdrawn by the seller";
    case "Expired":
      return `Expired on ${day(l.expiresAt)}`;
    case "RepublishNeeded":
      return "Re-publish needed: its sealed input is sealed to a retired oracle key";
  }
}

export function pricingWords(l: Pick<ListingView, "mode" | "postedPriceWei">): string {
  return l.mode === "Posted"
    ? `${eth(l.postedPriceWei)} (posted price)`
    : "Negotiated (within the seller's sealed floor)";
}

export function verdictWords(v: ListingVerdict | undefined): string {
  switch (v) {
    case undefined:
      return "Not verified yet: the oracle has not published its record";
    case "verified":
      return "✓ Verified by the oracle: data, datasheet and seller identity";
    case "datasheet-failed":
      return "✗ The seller's datasheet is false";
    case "data-unavailable":
      return "✗ The data could not be fetched";
    case "identity-failed":
      return "✗ The seller's identity (DKIM) did not verify";
    case "unopenable":
      return "✗ The oracle cannot open the seller's sealed input";
  }
}

/**
 * Why this buyer cannot buy the listing now (null: it can), each as the contract would refuse
 * it, before anything is sealed or sent. A listing not verified by the oracle ends as no-deal,
 * so it is refused here too (the escrow would come back, but only after the oracle's round).
 */
export function buyProblem(
  l: ListingView,
  buyer: string,
  escrowWei: bigint,
  now: number,
  verdict: ListingVerdict | undefined,
): DealProofError | null {
  if (l.status === "None") return badInput("no listing has this id", "pick one on the Listings page");
  if (l.status === "Withdrawn") return badInput("the seller withdrew this listing", "pick another listing");
  if (l.status === "Expired" || (l.expiresAt !== 0 && now > l.expiresAt))
    return badInput(`this listing expired on ${day(l.expiresAt)}`, "pick another listing");
  if (l.status === "RepublishNeeded")
    return badInput(
      "this listing is sealed to a retired oracle key, so it cannot be bought until its seller re-publishes it",
      "ask the seller to update the listing",
    );
  if (l.seller.toLowerCase() === buyer.toLowerCase())
    return badInput("this is your own listing", "buy from another account");
  if (verdict !== "verified")
    return badInput(
      `the oracle has not verified this listing (${verdictWords(verdict)})`,
      "a deal against it would end as no-deal; wait for the record or pick another listing",
    );
  if (escrowWei <= 0n) return badInput("the escrow must be more than 0 ETH", "e.g. 1.5");
  if (l.mode === "Posted" && l.postedPriceWei > escrowWei)
    return badInput(
      `the posted price ${eth(l.postedPriceWei)} is above your escrow ${eth(escrowWei)}`,
      `escrow at least ${eth(l.postedPriceWei)}`,
    );
  return null;
}
