/**
 * The listing enums of IListingRegistry (contracts/interfaces/IListingRegistry.sol) by name, in
 * the contract's order (the ABI carries only their uint8 values).
 * test/contracts/constants-parity.test.ts compares them with the compiled contract's.
 */
import { DealProofError } from "./errors.ts";

/** `IListingRegistry.PricingMode`. */
export const PRICING_MODE = ["Negotiated", "Posted"] as const;
export type PricingModeName = (typeof PRICING_MODE)[number];

/** `IListingRegistry.ListingStatus`. */
export const LISTING_STATUS = ["None", "Active", "Withdrawn", "Expired", "RepublishNeeded"] as const;
export type ListingStatusName = (typeof LISTING_STATUS)[number];

function named<T extends string>(names: readonly T[], what: string, value: bigint | number): T {
  const name = names[Number(value)];
  if (name === undefined)
    throw new DealProofError("listing.unknown_enum", `unknown ${what} ${value}`, {
      hint: "check that the address is a DealProof contract of this SDK's version",
    });
  return name;
}

/** The name of an on-chain pricing mode value. */
export const pricingModeName = (value: bigint | number): PricingModeName =>
  named(PRICING_MODE, "pricing mode", value);

/** The name of an on-chain listing status value. */
export const listingStatusName = (value: bigint | number): ListingStatusName =>
  named(LISTING_STATUS, "listing status", value);
