/**
 * A seller's listing and its buyers on a local chain, for the demo and the real-chain listing
 * tests (DESIGN.md §11): publish a dataset once (its seller input sealed to the registered oracle
 * key in the listing context), update or withdraw it, and buy it (the buyer input sealed exactly
 * like a direct deal's, for the id the listing deal will have). Until the SDK's listings module
 * lands this talks to the contract directly through its typed ABI.
 */
import { hexlify, type Signer } from "ethers";
import type { DealProof } from "../../oracle/chain/dealproof.ts";
import { dealIdFor, dealProofDomain } from "../../sdk/src/eip712.ts";
import { generateX25519KeyPair, type X25519KeyPair } from "../../sdk/src/hpke.ts";
import {
  sealBuyerInput,
  sealListingSellerInput,
  type BuyerInput,
  type SellerInput,
} from "../../sdk/src/inputs.ts";
import type { CheckSpec } from "../../sdk/src/checks.ts";
import { oracleSealingKey } from "../../sdk/src/oracle-key.ts";
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

async function bound(dp: DealProof, party: Signer) {
  const contract = await dp.getAddress();
  const provider = party.provider!;
  const [net, block, current] = await Promise.all([
    provider.getNetwork(),
    provider.getBlock("latest"),
    dp.currentOracle(),
  ]);
  const key = oracleSealingKey(
    { signer: current.signer, encryptionKey: current.encryptionKey, expiresAt: current.expiresAt },
    block!.timestamp,
  );
  return { contract, chainId: net.chainId, key, encryptionKey: current.encryptionKey, now: block!.timestamp };
}

async function sealedTerms(dp: DealProof, seller: Signer, listingId: bigint, a: ListingArgs) {
  const b = await bound(dp, seller);
  const ds = a.dataset;
  const sealed = await sealListingSellerInput(
    b.key,
    { chainId: b.chainId, contract: b.contract, listingId },
    { v: 1, ...a.input, dataset: { location: ds.location, key: ds.key, chunkSize: ds.chunkSize } },
  );
  const terms = {
    mode: a.mode,
    postedPrice: a.mode === POSTED ? (a.postedPriceWei ?? 0n) : 0n,
    expiresAt: a.expiresAt ?? 0,
    ...(a.layout ?? {
      chunkSize: ds.chunkSize,
      chunkCount: Math.max(1, Math.ceil(ds.size / ds.chunkSize)),
      byteSize: ds.size,
    }),
    encryptionKey: b.encryptionKey,
    metadataURI: "",
  };
  return { sealed, terms };
}

/** Seller: publishes `a.dataset` as a listing (version 1, or the next after a withdrawal). */
export async function publishListing(
  dp: DealProof,
  seller: Signer,
  a: ListingArgs,
): Promise<PublishedListing> {
  const listingId = await dp.listingIdFor(await seller.getAddress(), a.dataset.dataRoot);
  const { sealed, terms } = await sealedTerms(dp, seller, listingId, a);
  const r = await (await dp.connect(seller).publishListing(a.dataset.dataRoot, terms, sealed)).wait();
  return { listingId, version: Number((await dp.getListing(listingId)).version), gasUsed: r!.gasUsed };
}

/** Seller: replaces the listing's terms and sealed input (its next version). */
export async function updateListing(
  dp: DealProof,
  seller: Signer,
  listingId: bigint,
  a: ListingArgs,
): Promise<PublishedListing> {
  const { sealed, terms } = await sealedTerms(dp, seller, listingId, a);
  const r = await (await dp.connect(seller).updateListing(listingId, terms, sealed)).wait();
  return { listingId, version: Number((await dp.getListing(listingId)).version), gasUsed: r!.gasUsed };
}

export async function withdrawListing(dp: DealProof, seller: Signer, listingId: bigint): Promise<void> {
  await (await dp.connect(seller).withdrawListing(listingId)).wait();
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

/** The buyer's sealed input and the listing deal's id, without sending anything. */
export async function prepareListingDeal(dp: DealProof, buyer: Signer, a: BuyArgs) {
  const b = await bound(dp, buyer);
  const listing = await dp.getListing(a.listingId);
  const deadline = a.deadline ?? b.now + 3600;
  const dealId = dealIdFor(dealProofDomain(b.chainId, b.contract), {
    buyer: await buyer.getAddress(),
    seller: listing.seller,
    dataRoot: listing.dataRoot,
    deadline,
  });
  const delivery = await generateX25519KeyPair();
  const input: BuyerInput = {
    v: 1,
    budgetWei: a.budgetWei.toString(),
    requirements: a.requirements,
    deliveryPublicKey: hexlify(delivery.publicKey),
    ...(a.checks === undefined ? {} : { checks: a.checks }),
  };
  const sealed = await sealBuyerInput(b.key, { chainId: b.chainId, contract: b.contract, dealId }, input);
  const send = () =>
    dp.connect(buyer).createDealFromListing(a.listingId, a.version, deadline, sealed, { value: a.escrowWei });
  return { dealId, delivery, send };
}

/** Buyer: creates a deal from the listing's `version`, escrowing `escrowWei` (Accepted at once). */
export async function buyListing(dp: DealProof, buyer: Signer, a: BuyArgs): Promise<ListingDeal> {
  const d = await prepareListingDeal(dp, buyer, a);
  const r = await (await d.send()).wait();
  return { dealId: d.dealId, delivery: d.delivery, gasUsed: r!.gasUsed };
}
