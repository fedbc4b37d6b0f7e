/**
 * Listings read with viem: one listing as the contract reports it now (`getListing`: its status is
 * the contract's own, by name as sdk/src/listing-state.ts names it — the same table the `dealproof`
 * entry and the dapp use), and every listing of a DealProof (`listListings`) from its
 * ListingPublished / ListingWithdrawn / ListingDealCreated logs plus `getListing`: status, version,
 * mode, price, the latest public terms and the number of sales (deals created against it).
 */
import type { Address, Hex } from "viem";
import { getContractEvents, readContract } from "viem/actions";
import { DEAL_PROOF_ABI } from "../abi.ts";
import {
  listingStatusName,
  pricingModeName,
  type ListingStatusName,
  type PricingModeName,
} from "../listing-state.ts";
import { onChain } from "./chain-error.ts";
import type { DealProofClient } from "./client.ts";

export interface Listing {
  listingId: bigint;
  seller: Address;
  dataRoot: Hex;
  /** 1 on publication, +1 on each update (0: no such listing). */
  version: number;
  mode: PricingModeName;
  /** Wei (Posted); 0 for a negotiated listing. */
  postedPrice: bigint;
  /** Unix seconds; 0: never. */
  expiresAt: bigint;
  /** The oracle HPKE key its seller input is sealed to. */
  encryptionKey: Hex;
  /** The contract's status now (`None`: no listing has this id). */
  status: ListingStatusName;
}

/** A listing as the contract reports it now (status `None`: no listing has this id). */
export async function getListing(
  client: DealProofClient,
  p: { address: Address; listingId: bigint },
): Promise<Listing> {
  const l = await onChain(() =>
    readContract(client, {
      address: p.address,
      abi: DEAL_PROOF_ABI,
      functionName: "getListing",
      args: [p.listingId],
    }),
  );
  return {
    listingId: p.listingId,
    seller: l.seller,
    dataRoot: l.dataRoot,
    version: Number(l.version),
    mode: pricingModeName(l.mode),
    postedPrice: l.postedPrice,
    expiresAt: l.expiresAt,
    encryptionKey: l.encryptionKey,
    status: listingStatusName(l.status),
  };
}

/** A listing's public terms as its latest ListingPublished carries them. */
export interface ListingTermsRead {
  chunkSize: number;
  chunkCount: bigint;
  byteSize: bigint;
  metadataURI: string;
}

export interface ListedListing extends Listing {
  /** The latest published version's public terms (chunk layout, metadata URI). */
  terms: ListingTermsRead;
  /** Deals created against the listing, over all its versions (ListingDealCreated logs). */
  sales: number;
}

export interface ListListingsParameters {
  address: Address;
  /** Only this seller's listings. */
  seller?: Address;
  /** The first block to read logs from (the deployment's block); default 0. */
  fromBlock?: bigint;
}

/** Every listing of a DealProof (the seller's, if given), oldest publication first. */
export async function listListings(
  client: DealProofClient,
  p: ListListingsParameters,
): Promise<ListedListing[]> {
  const range = { address: p.address, abi: DEAL_PROOF_ABI, fromBlock: p.fromBlock ?? 0n } as const;
  const [published, sold] = await onChain(() =>
    Promise.all([
      getContractEvents(client, {
        ...range,
        eventName: "ListingPublished",
        ...(p.seller === undefined ? {} : { args: { seller: p.seller } }),
      }),
      getContractEvents(client, { ...range, eventName: "ListingDealCreated" }),
    ]),
  );
  const terms = new Map<bigint, ListingTermsRead>();
  for (const log of published) {
    const t = log.args.terms!;
    terms.set(log.args.listingId!, {
      chunkSize: Number(t.chunkSize),
      chunkCount: t.chunkCount,
      byteSize: t.byteSize,
      metadataURI: t.metadataURI,
    });
  }
  const sales = new Map<bigint, number>();
  for (const log of sold) {
    const id = log.args.listingId!;
    sales.set(id, (sales.get(id) ?? 0) + 1);
  }
  return Promise.all(
    [...terms].map(async ([listingId, t]) => ({
      ...(await getListing(client, { address: p.address, listingId })),
      terms: t,
      sales: sales.get(listingId) ?? 0,
    })),
  );
}
