/**
 * Listings with ethers (DESIGN.md §11), like parties.ts for deals: a seller publishes, updates
 * and withdraws a listing (its seller input sealed once to the live oracle key with the listing
 * as context, the listing id computed before sending); a buyer opens a deal against a listing
 * (checked before anything is sent: status, version, posted price against the escrow, expiry;
 * its input sealed for the deal id it will get); anyone reads one listing or lists them from the
 * ListingPublished / ListingWithdrawn / ListingDealCreated logs. Nothing here stores anything.
 */
import {
  hexlify,
  type ContractTransaction,
  type ContractTransactionReceipt,
  type ContractTransactionResponse,
  type Signer,
} from "ethers";
import { formatDealId } from "./deal-id.ts";
import { DealProofError, type DealProofErrorCode } from "./errors.ts";
import type { X25519KeyPair } from "./hpke.ts";
import { sealListingSellerInput, type SellerInput } from "./inputs.ts";
import {
  PRICING_MODE,
  listingStatusName,
  pricingModeName,
  type ListingStatusName,
  type PricingModeName,
} from "./listing-state.ts";
import {
  bind,
  chainNow,
  mined,
  sealForNewDeal,
  sealingKey,
  type Bound,
  type BuyerTerms,
  type DealProofContract,
} from "./party-chain.ts";

/** The seller's public terms of a listing; the chunk layout is the one its data root commits to. */
export interface ListingTermsArgs {
  mode: PricingModeName;
  /** Posted: the price in wei (> 0); Negotiated: leave out (0). */
  postedPriceWei?: bigint;
  /** Unix seconds after which it cannot be bought; 0 or absent: never. */
  expiresAt?: number;
  chunkSize: number;
  chunkCount: number;
  byteSize: number;
  /** Public metadata reference (https:// or ipfs://), ≤ 512 bytes. */
  metadataURI: string;
}

export interface PublishListingArgs extends ListingTermsArgs {
  dataRoot: string;
  /** The seller's private input (floor, description, dataset location and key, …), sealed here. */
  input: Omit<SellerInput, "v">;
}

export interface PublishedListing {
  listingId: bigint;
  /** The sealed seller input as sent (bound to this listing, chain and contract). */
  sealed: Uint8Array;
  receipt: ContractTransactionReceipt;
}

/** A listing now, as `getListing` reports it, with names for its enums. */
export interface ListingView {
  listingId: bigint;
  seller: string;
  dataRoot: string;
  version: number;
  mode: PricingModeName;
  postedPriceWei: bigint;
  /** Unix seconds; 0: never. */
  expiresAt: number;
  encryptionKey: string;
  status: ListingStatusName;
}

/** A listing in `listListings`: its state now, its latest metadata and how many deals it sold. */
export interface ListedListing extends ListingView {
  metadataURI: string;
  sales: number;
}

export interface DealFromListingArgs extends BuyerTerms {
  listingId: bigint;
  /** The version the buyer read (refused if the listing changed since); absent: the current one. */
  version?: number;
  escrowWei: bigint;
  /** Unix seconds. */
  deadline: number;
}

export interface DealFromListing {
  dealId: bigint;
  /** The buyer's delivery key pair: keep the private key to receive the dataset. */
  delivery: X25519KeyPair;
  /** The listing version bought under. */
  version: number;
  receipt: ContractTransactionReceipt;
}

/** `getListing`'s answer as ethers returns it (enums as their uint8 values). */
export interface RawListing {
  seller: string;
  dataRoot: string;
  version: bigint | number;
  mode: bigint | number;
  postedPrice: bigint;
  expiresAt: bigint | number;
  encryptionKey: string;
  status: bigint | number;
}

const idText = formatDealId;

/**
 * `getListing(listingId)`'s answer by name (throws `listing.unknown_enum` on a mode or status
 * this SDK does not know): for a caller that read the contract itself.
 */
export function listingViewOf(listingId: bigint, l: RawListing): ListingView {
  return {
    listingId,
    seller: l.seller,
    dataRoot: l.dataRoot,
    version: Number(l.version),
    mode: pricingModeName(l.mode),
    postedPriceWei: l.postedPrice,
    expiresAt: Number(l.expiresAt),
    encryptionKey: l.encryptionKey,
    status: listingStatusName(l.status),
  };
}

async function readListing(b: Bound, listingId: bigint): Promise<ListingView> {
  return listingViewOf(listingId, (await b.reader.getFunction("getListing")(listingId)) as RawListing);
}

function termsTuple(t: ListingTermsArgs, encryptionKey: string) {
  return {
    mode: BigInt(PRICING_MODE.indexOf(t.mode)),
    postedPrice: t.postedPriceWei ?? 0n,
    expiresAt: BigInt(t.expiresAt ?? 0),
    chunkSize: BigInt(t.chunkSize),
    chunkCount: BigInt(t.chunkCount),
    byteSize: BigInt(t.byteSize),
    encryptionKey,
    metadataURI: t.metadataURI,
  };
}

/** Seals `input` to the live oracle key for listing `listingId`; returns the key (hex) and the bytes. */
async function sealForListing(b: Bound, seller: Signer, listingId: bigint, input: Omit<SellerInput, "v">) {
  const key = await sealingKey(b, seller);
  const sealed = await sealListingSellerInput(
    key,
    { chainId: b.chainId, contract: b.contract, listingId },
    { v: 1, ...input },
  );
  return { encryptionKey: hexlify(key), sealed };
}

/** The id `seller`'s listing of `dataRoot` has on this DealProof (computed by the contract's view). */
export async function listingIdOf(dealProof: DealProofContract, seller: Signer, dataRoot: string) {
  const b = await bind(dealProof, seller);
  return (await b.reader.getFunction("listingIdFor")(await seller.getAddress(), dataRoot)) as bigint;
}

/** Seller: seals its input for the listing's id and publishes the listing (version 1). */
export async function publishListing(
  dealProof: DealProofContract,
  seller: Signer,
  args: PublishListingArgs,
): Promise<PublishedListing> {
  const b = await bind(dealProof, seller);
  const listingId = (await b.reader.getFunction("listingIdFor")(
    await seller.getAddress(),
    args.dataRoot,
  )) as bigint;
  const { encryptionKey, sealed } = await sealForListing(b, seller, listingId, args.input);
  const receipt = await mined(
    (await b.writer.getFunction("publishListing")(
      args.dataRoot,
      termsTuple(args, encryptionKey),
      sealed,
    )) as ContractTransactionResponse,
  );
  return { listingId, sealed, receipt };
}

/**
 * Seller: replaces a listing's terms and input (its next version), sealed to the oracle's current
 * key — also how a RepublishNeeded listing becomes buyable again.
 */
export async function updateListing(
  dealProof: DealProofContract,
  seller: Signer,
  listingId: bigint,
  args: ListingTermsArgs & { input: Omit<SellerInput, "v"> },
): Promise<PublishedListing> {
  const b = await bind(dealProof, seller);
  const { encryptionKey, sealed } = await sealForListing(b, seller, listingId, args.input);
  const receipt = await mined(
    (await b.writer.getFunction("updateListing")(
      listingId,
      termsTuple(args, encryptionKey),
      sealed,
    )) as ContractTransactionResponse,
  );
  return { listingId, sealed, receipt };
}

/** Seller: withdraws a listing; deals created before it keep their terms. */
export async function withdrawListing(
  dealProof: DealProofContract,
  seller: Signer,
  listingId: bigint,
): Promise<ContractTransactionReceipt> {
  const b = await bind(dealProof, seller);
  return mined((await b.writer.getFunction("withdrawListing")(listingId)) as ContractTransactionResponse);
}

/** A listing now (status "None": no listing has this id). */
export async function getListing(
  dealProof: DealProofContract,
  reader: Signer,
  listingId: bigint,
): Promise<ListingView> {
  return readListing(await bind(dealProof, reader), listingId);
}

/** Why a listing that is not Active cannot be bought: code, message, hint. */
const NOT_BUYABLE: Record<
  Exclude<ListingStatusName, "Active">,
  (id: string) => [DealProofErrorCode, string, string]
> = {
  None: (id) => [
    "listing.unknown",
    `no listing has id ${id} on this DealProof`,
    "check the listing id and the network",
  ],
  Withdrawn: (id) => [
    "listing.withdrawn",
    `listing ${id} was withdrawn by its seller`,
    "choose another listing",
  ],
  Expired: (id) => [
    "listing.expired",
    `listing ${id} has expired`,
    "choose another listing, or ask the seller to update it",
  ],
  RepublishNeeded: (id) => [
    "listing.republish_needed",
    `listing ${id} is sealed to an oracle key that is no longer live: it cannot be bought now`,
    "ask the seller to update the listing (that re-seals its input to the current oracle key)",
  ],
};

/** Refuses, before anything is sent, what the contract would refuse about this listing. */
function checkBuyable(l: ListingView, args: DealFromListingArgs, now: number): number {
  const id = idText(l.listingId);
  if (l.status !== "Active") {
    const [code, message, hint] = NOT_BUYABLE[l.status](id);
    throw new DealProofError(code, message, { hint });
  }
  if (l.expiresAt !== 0 && now > l.expiresAt)
    throw new DealProofError("listing.expired", `listing ${id} has expired`, {
      hint: "choose another listing, or ask the seller to update it",
    });
  if (args.version !== undefined && args.version !== l.version)
    throw new DealProofError(
      "listing.version_changed",
      `listing ${id} is at version ${l.version}, not the version ${args.version} you read`,
      { hint: "read the listing again and check its new terms before buying" },
    );
  if (l.mode === "Posted" && args.escrowWei < l.postedPriceWei)
    throw new DealProofError(
      "listing.escrow_below_price",
      `the escrow is below listing ${id}'s posted price of ${l.postedPriceWei} wei`,
      { hint: "escrow at least the posted price" },
    );
  return l.version;
}

/** A deal against a listing, its buyer input sealed, nothing sent: `send` (or `request`) moves the escrow. */
export interface PreparedDealFromListing {
  dealId: bigint;
  /** The buyer's delivery key pair: keep the private key (before sending) to receive the dataset. */
  delivery: X25519KeyPair;
  /** The sealed buyer input, bound to this chain, contract and deal id. */
  sealed: Uint8Array;
  /** The listing as read (its version is the one the transaction names). */
  listing: ListingView;
  /** The listing version bought under. */
  version: number;
  /** The createDealFromListing transaction (to, data, value), for a caller that sends it itself. */
  request: ContractTransaction;
  /** Sends `request` with the buyer's signer and waits for it to be mined. */
  send(): Promise<ContractTransactionReceipt>;
}

/**
 * Buyer: everything before the escrow moves, nothing sent. Reads the listing and refuses one that
 * cannot be bought (withdrawn, expired, needing re-publication, changed since the version given,
 * a posted price above the escrow) and a deal that exists already; seals the buyer input for the
 * deal id it will get, exactly as for a direct deal. The caller keeps the delivery key, then
 * calls `send` (a listing changed in between is refused by the contract: ListingVersionMismatch).
 */
export async function prepareDealFromListing(
  dealProof: DealProofContract,
  buyer: Signer,
  args: DealFromListingArgs,
): Promise<PreparedDealFromListing> {
  const b = await bind(dealProof, buyer);
  const [listing, now] = await Promise.all([readListing(b, args.listingId), chainNow(b, buyer)]);
  const version = checkBuyable(listing, args, now);
  const { dealId, delivery, sealed } = await sealForNewDeal(
    b,
    buyer,
    { seller: listing.seller, dataRoot: listing.dataRoot, deadline: args.deadline },
    args,
  );
  const call = b.writer.getFunction("createDealFromListing");
  const callArgs = [args.listingId, version, args.deadline, sealed, { value: args.escrowWei }] as const;
  const request = await call.populateTransaction(...callArgs);
  const send = async () => mined((await call(...callArgs)) as ContractTransactionResponse);
  return { dealId, delivery, sealed, listing, version, request, send };
}

/**
 * Buyer: opens a deal against a listing, escrowing `escrowWei`: `prepareDealFromListing`, then
 * sent at once. Returns the deal id and the buyer's delivery key pair.
 */
export async function createDealFromListing(
  dealProof: DealProofContract,
  buyer: Signer,
  args: DealFromListingArgs,
): Promise<DealFromListing> {
  const d = await prepareDealFromListing(dealProof, buyer, args);
  return { dealId: d.dealId, delivery: d.delivery, version: d.version, receipt: await d.send() };
}

interface LogArgs {
  args: { listingId: bigint; terms?: { metadataURI: string } };
}

/**
 * Every listing published on this DealProof (optionally only `seller`'s), from its logs since
 * `fromBlock`, each with its state now (getListing), its latest metadata URI and its sales count
 * (ListingDealCreated logs). Withdrawn, expired ones are included: filter on `status`.
 */
export async function listListings(
  dealProof: DealProofContract,
  reader: Signer,
  opts: { seller?: string; fromBlock?: number } = {},
): Promise<ListedListing[]> {
  const b = await bind(dealProof, reader);
  const from = opts.fromBlock ?? 0;
  const c = b.reader;
  const published = (await c.queryFilter(
    c.getEvent("ListingPublished")(null, opts.seller ?? null, null),
    from,
  )) as unknown as LogArgs[];
  const sold = (await c.queryFilter(c.getEvent("ListingDealCreated")(), from)) as unknown as LogArgs[];
  const metadata = new Map<bigint, string>();
  for (const log of published) metadata.set(log.args.listingId, log.args.terms?.metadataURI ?? "");
  const sales = new Map<bigint, number>();
  for (const log of sold) sales.set(log.args.listingId, (sales.get(log.args.listingId) ?? 0) + 1);
  return Promise.all(
    [...metadata.entries()].map(async ([listingId, metadataURI]) => ({
      ...(await readListing(b, listingId)),
      metadataURI,
      sales: sales.get(listingId) ?? 0,
    })),
  );
}
