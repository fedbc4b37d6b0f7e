/**
 * A seller's listing and its buyers on a local chain, for the demo and the real-chain listing
 * tests (DESIGN.md §11): publish a dataset once (its seller input sealed to the registered oracle
 * key in the listing context), update or withdraw it, and buy it (the buyer input sealed exactly
 * like a direct deal's, for the id the listing deal will have), each through the SDK's ethers
 * listing functions (sdk/src/listings.ts); this module only maps a prepared dataset to their
 * arguments.
 */
import type { Signer } from "ethers";
import type { DealProof } from "../../oracle/chain/dealproof.ts";
import type { X25519KeyPair } from "../../sdk/src/hpke.ts";
import type { SellerInput } from "../../sdk/src/inputs.ts";
import type { CheckSpec } from "../../sdk/src/checks.ts";
import {
  prepareDealFromListing,
  publishListing as sdkPublishListing,
  updateListing as sdkUpdateListing,
  withdrawListing as sdkWithdrawListing,
  type ListingTermsArgs,
} from "../../sdk/src/listings.ts";
import type { SellerDataset } from "./seller-kit.ts";

export const NEGOTIATED = 0;
export const POSTED = 1;

export interface ListingArgs {
  dataset: SellerDataset;
  mode: typeof NEGOTIATED | typeof POSTED;
  /** Posted mode: the public price (wei). */
  postedPriceWei?: bigint;
  /** The seller's sealed input besides the dataset (floor, description, email, datasheet, …). */
  input: Omit<SellerInput, "v" | "dataset">;
  /** Unix seconds after which it cannot be bought; 0 (default): never. */
  expiresAt?: number;
  /** The layout announced in the public terms (default: the dataset's own). */
  layout?: { chunkSize: number; chunkCount: number; byteSize: number };
}

export interface PublishedListing {
  listingId: bigint;
  version: number;
  gasUsed: bigint;
}

/** The SDK's listing terms and seller input for `a` (the dataset's own layout unless given). */
function sdkTerms(a: ListingArgs): ListingTermsArgs & { input: Omit<SellerInput, "v"> } {
  const ds = a.dataset;
  return {
    mode: a.mode === POSTED ? "Posted" : "Negotiated",
    ...(a.mode === POSTED ? { postedPriceWei: a.postedPriceWei ?? 0n } : {}),
    expiresAt: a.expiresAt ?? 0,
    ...(a.layout ?? {
      chunkSize: ds.chunkSize,
      chunkCount: Math.max(1, Math.ceil(ds.size / ds.chunkSize)),
      byteSize: ds.size,
    }),
    metadataURI: "",
    input: { ...a.input, dataset: { location: ds.location, key: ds.key, chunkSize: ds.chunkSize } },
  };
}

const published = async (dp: DealProof, listingId: bigint, gasUsed: bigint): Promise<PublishedListing> => ({
  listingId,
  version: Number((await dp.getListing(listingId)).version),
  gasUsed,
});

/** Seller: publishes `a.dataset` as a listing (version 1, or the next after a withdrawal): the SDK's publishListing. */
export async function publishListing(
  dp: DealProof,
  seller: Signer,
  a: ListingArgs,
): Promise<PublishedListing> {
  const r = await sdkPublishListing(dp, seller, { ...sdkTerms(a), dataRoot: a.dataset.dataRoot });
  return published(dp, r.listingId, r.receipt.gasUsed);
}

/** Seller: replaces the listing's terms and sealed input (its next version): the SDK's updateListing. */
export async function updateListing(
  dp: DealProof,
  seller: Signer,
  listingId: bigint,
  a: ListingArgs,
): Promise<PublishedListing> {
  const r = await sdkUpdateListing(dp, seller, listingId, sdkTerms(a));
  return published(dp, listingId, r.receipt.gasUsed);
}

export async function withdrawListing(dp: DealProof, seller: Signer, listingId: bigint): Promise<void> {
  await sdkWithdrawListing(dp, seller, listingId);
}

export interface BuyArgs {
  listingId: bigint;
  version: number;
  escrowWei: bigint;
  budgetWei: bigint;
  requirements: string;
  /** DESIGN §10: the buyer's data checks, sealed. */
  checks?: CheckSpec;
  /** Unix seconds (default: an hour from the latest block). */
  deadline?: number;
}

export interface ListingDeal {
  dealId: bigint;
  delivery: X25519KeyPair;
  gasUsed: bigint;
}

/**
 * The buyer's sealed input and the listing deal's id, without sending anything: the SDK's
 * prepareDealFromListing (which refuses a listing that cannot be bought at `version` now); `send`
 * sends its request, so a listing changed after this is refused by the contract.
 */
export async function prepareListingDeal(dp: DealProof, buyer: Signer, a: BuyArgs) {
  const now = (await buyer.provider!.getBlock("latest"))!.timestamp;
  const d = await prepareDealFromListing(dp, buyer, {
    listingId: a.listingId,
    version: a.version,
    escrowWei: a.escrowWei,
    deadline: a.deadline ?? now + 3600,
    budgetWei: a.budgetWei,
    requirements: a.requirements,
    ...(a.checks === undefined ? {} : { checks: a.checks }),
  });
  const send = () => buyer.sendTransaction(d.request);
  return { dealId: d.dealId, delivery: d.delivery, send };
}

/** Buyer: creates a deal from the listing's `version`, escrowing `escrowWei` (Accepted at once). */
export async function buyListing(dp: DealProof, buyer: Signer, a: BuyArgs): Promise<ListingDeal> {
  const d = await prepareListingDeal(dp, buyer, a);
  const r = await (await d.send()).wait();
  return { dealId: d.dealId, delivery: d.delivery, gasUsed: r!.gasUsed };
}
