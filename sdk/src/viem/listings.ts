/**
 * A listing's writes with viem, shaped like viem's own actions: the seller publishes (the listing
 * id computed before sending, the input sealed once with the listing's context to the registered
 * oracle key), updates (a new sealed input, version + 1) and withdraws; a buyer creates a deal
 * from a listing after reading it (active, the version it expects, a posted price the escrow
 * covers), its input sealed for the resulting deal id exactly as for a direct deal.
 */
import { bytesToHex, type Account, type Address, type Hex } from "viem";
import { DEAL_PROOF_ABI } from "../abi.ts";
import { DealProofError, type DealProofErrorCode } from "../errors.ts";
import type { PricingModeName } from "../listing-state.ts";
import {
  chainIdOf,
  accountOf,
  addressOf,
  send,
  type DealProofClient,
  type WriteParameters,
} from "./client.ts";
import {
  prepareDeal,
  sealingKey,
  type CreateDealReturnType,
  type PrepareDealParameters,
  type PreparedDeal,
} from "./deals.ts";
import { getListing, type Listing } from "./listing-reads.ts";
import { listingIdFor } from "./protocol.ts";
import { currentOracle } from "./reads.ts";
import { sealListingSellerInput } from "./seal.ts";
import type { SellerInput } from "./types.ts";

/** A listing's public terms as a seller gives them (the encryption key is the registered oracle's). */
export interface ListingTermsInput {
  mode: PricingModeName;
  /** Posted: the price in wei (> 0); leave out for a negotiated listing. */
  postedPriceWei?: bigint;
  /** Unix seconds after which it cannot be bought; default 0: never. */
  expiresAt?: bigint | number;
  /** The chunk layout the root commits to (from dataset:commit's output). */
  chunkSize: number;
  chunkCount: bigint | number;
  byteSize: bigint | number;
  /** Public description (https:// or ipfs:// URI), at most 512 bytes. */
  metadataURI: string;
}

export interface ListingWriteParameters extends WriteParameters {
  terms: ListingTermsInput;
  /** The seller's private input (floor, description, dataset locator and key, …): sealed here. */
  input: Omit<SellerInput, "v">;
}

/** The terms tuple and the seller input sealed for `listingId` to the live oracle key. */
async function sealedTerms(client: DealProofClient, p: ListingWriteParameters, listingId: bigint) {
  const [chainId, key, oracle] = await Promise.all([
    chainIdOf(client),
    sealingKey(client, p.address),
    currentOracle(client, { address: p.address }),
  ]);
  const sealed = await sealListingSellerInput(
    key,
    { chainId, contract: p.address, listingId },
    { ...p.input, v: 1 },
  );
  const t = p.terms;
  const terms = {
    mode: t.mode === "Posted" ? 1 : 0,
    postedPrice: t.postedPriceWei ?? 0n,
    expiresAt: BigInt(t.expiresAt ?? 0),
    chunkSize: t.chunkSize,
    chunkCount: BigInt(t.chunkCount),
    byteSize: BigInt(t.byteSize),
    encryptionKey: oracle.encryptionKey,
    metadataURI: t.metadataURI,
  };
  return { terms, sealed: bytesToHex(sealed) };
}

export interface PublishListingParameters extends ListingWriteParameters {
  dataRoot: Hex;
}

/** Seller: publishes a listing of `dataRoot` (a withdrawn one of the same root is published again). */
export async function publishListing(
  client: DealProofClient,
  p: PublishListingParameters,
): Promise<{ listingId: bigint; hash: Hex }> {
  const [account, chainId] = await Promise.all([accountOf(client, p.account), chainIdOf(client)]);
  const listingId = listingIdFor({ chainId, contract: p.address }, addressOf(account), p.dataRoot);
  const existing = await getListing(client, { address: p.address, listingId });
  if (existing.status !== "None" && existing.status !== "Withdrawn")
    throw new DealProofError("listing.exists", "you have a listing of this data root already", {
      hint: "change it with updateListing({ listingId }) or withdraw it first",
    });
  const { terms, sealed } = await sealedTerms(client, p, listingId);
  const hash = await send(client, {
    address: p.address,
    account,
    functionName: "publishListing",
    args: [p.dataRoot, terms, sealed],
  });
  return { listingId, hash };
}

/** Seller: replaces a live listing's terms and sealed input (version + 1; earlier deals keep theirs). */
export async function updateListing(
  client: DealProofClient,
  p: ListingWriteParameters & { listingId: bigint },
): Promise<Hex> {
  const { terms, sealed } = await sealedTerms(client, p, p.listingId);
  return send(client, { ...p, functionName: "updateListing", args: [p.listingId, terms, sealed] });
}

/** Seller: no new deal can be created against the listing (deals created before are unchanged). */
export const withdrawListing = (client: DealProofClient, p: WriteParameters & { listingId: bigint }) =>
  send(client, { ...p, functionName: "withdrawListing", args: [p.listingId] });

export interface CreateDealFromListingParameters extends Omit<PrepareDealParameters, "seller" | "dataRoot"> {
  listingId: bigint;
  /** The version the buyer read (default: the listing's version now); a later update is refused. */
  version?: number;
  /** Called with the delivery private key (0x-hex) before the escrow moves; if it throws, nothing is sent. */
  saveDeliveryKey?: (privateKey: Hex) => Promise<void> | void;
}

/** Why a listing cannot be bought now, as an error (undefined: it can). */
function unbuyable(
  l: Listing,
  p: Pick<CreateDealFromListingParameters, "version" | "escrowWei">,
): DealProofError | undefined {
  const no = (code: DealProofErrorCode, message: string, hint: string) =>
    new DealProofError(code, message, { hint });
  switch (l.status) {
    case "None":
      return no("listing.unknown", "no listing has this id", "check the listing id (listListings)");
    case "Withdrawn":
      return no("listing.withdrawn", "the seller withdrew this listing", "choose another listing");
    case "Expired":
      return no(
        "listing.expired",
        "this listing has expired",
        "choose another listing, or ask the seller to renew it",
      );
    case "RepublishNeeded":
      return no(
        "listing.republish_needed",
        "this listing is sealed to an oracle key that is no longer registered",
        "ask the seller to update the listing (updateListing) with its input sealed to the current oracle key",
      );
    case "Active":
      break;
  }
  if (p.version !== undefined && p.version !== l.version)
    return no(
      "listing.version_changed",
      `the listing is at version ${l.version}, not the version ${p.version} you read`,
      "read the listing again (getListing) and confirm its new terms",
    );
  if (l.mode === "Posted" && p.escrowWei < l.postedPrice)
    return no(
      "listing.escrow_below_price",
      `the escrow (${p.escrowWei} wei) is below the listing's posted price (${l.postedPrice} wei)`,
      "escrow at least the posted price",
    );
  return undefined;
}

/** The createDealFromListing call, for `walletClient.writeContract(request)` (or `simulateContract`). */
export interface DealFromListingRequest {
  address: Address;
  abi: typeof DEAL_PROOF_ABI;
  functionName: "createDealFromListing";
  args: readonly [bigint, number, bigint, Hex];
  value: bigint;
  account?: Account | Address;
}

export interface PreparedDealFromListing extends PreparedDeal {
  /** The listing as read (the request names its version). */
  listing: Listing;
  /** The listing version bought under. */
  version: number;
  /** The transaction that escrows: send it once the delivery key is kept. */
  request: DealFromListingRequest;
}

/**
 * Buyer: everything before the escrow moves, nothing sent. Reads the listing (refused unless
 * active, at the version expected, its posted price covered by the escrow), prepares the deal
 * with the listing's seller and root (input sealed for the deal id, a deal with that id refused)
 * and returns the createDealFromListing request naming the version read.
 */
export async function prepareDealFromListing(
  client: DealProofClient,
  p: Omit<CreateDealFromListingParameters, "saveDeliveryKey">,
): Promise<PreparedDealFromListing> {
  const listing = await getListing(client, { address: p.address, listingId: p.listingId });
  const refused = unbuyable(listing, p);
  if (refused !== undefined) throw refused;
  const prepared = await prepareDeal(client, { ...p, seller: listing.seller, dataRoot: listing.dataRoot });
  const version = p.version ?? listing.version;
  const request: DealFromListingRequest = {
    address: p.address,
    abi: DEAL_PROOF_ABI,
    functionName: "createDealFromListing",
    args: [p.listingId, version, BigInt(p.deadline), prepared.sealed],
    value: p.escrowWei,
    ...(p.account === undefined ? {} : { account: p.account }),
  };
  return { ...prepared, listing, version, request };
}

/**
 * Buyer: `prepareDealFromListing`, hands the delivery key to `saveDeliveryKey` (if it throws,
 * nothing is sent), then escrows and creates the deal.
 */
export async function createDealFromListing(
  client: DealProofClient,
  p: CreateDealFromListingParameters,
): Promise<CreateDealReturnType & { listing: Listing }> {
  const { request, version: _, ...prepared } = await prepareDealFromListing(client, p);
  await p.saveDeliveryKey?.(bytesToHex(prepared.delivery.privateKey));
  const hash = await send(client, request);
  return { ...prepared, hash };
}
