/**
 * The dapp's listing calls (DESIGN §11): the market read from DealProof's listing logs, getListing
 * and the oracle's `GET /listings` records (each record's signature checked here against a signer
 * DealProof's registry trusts now), and the seller's publish / update / withdraw and the buyer's
 * createDealFromListing, each input sealed in this browser by the SDK's ethers listing functions
 * (the buy in two steps, prepareDealFromListing then send, so the delivery key is saved first).
 */
import { Contract, toBeHex, type BrowserProvider, type Log } from "ethers";
import {
  DEAL_PROOF_ABI,
  dealProofDomain,
  decodeDealProofEvent,
  listingIdOf,
  listingViewOf,
  prepareDealFromListing,
  publishListing as sdkPublishListing,
  updateListing as sdkUpdateListing,
  withdrawListing as sdkWithdrawListing,
  verifyVerifiedListing,
  type ListingView,
  type RawListing,
  type SellerInput,
  type VerifiedListingRecord,
} from "dealproof";
import type { ChainConfig } from "./config.ts";
import type { ListingVerdict } from "./listing-words.ts";
import { marketIndex, type MarketIndex } from "./market.ts";
import type { HistoryLog } from "./deal-history.ts";
import type { BuyerTerms } from "./buy-flow.tsx";

type Runner = BrowserProvider | Awaited<ReturnType<BrowserProvider["getSigner"]>>;
const registry = (chain: ChainConfig, runner: Runner) =>
  new Contract(chain.dealProof, DEAL_PROOF_ABI, runner);

/** One listing as the market shows it. */
export interface MarketListing {
  listing: ListingView;
  sales: number;
  /** The oracle's record, only when its signature checks against a trusted signer. */
  record?: VerifiedListingRecord;
  /** Why a served record was not trusted (its message), when one was served. */
  recordProblem?: string;
  metadataURI: string;
}

export const verdictOf = (m: MarketListing): ListingVerdict | undefined => m.record?.verdict;

/**
 * Whether `signer` may sign for DealProof now: the contract's own rule (its isTrustedSigner view),
 * and unexpired at `now` (the chain's latest time the page knows).
 */
async function trustedNow(dp: Contract, signer: string, now: number): Promise<boolean> {
  const [trusted, expiry] = await Promise.all([
    dp.getFunction("isTrustedSigner")(signer) as Promise<boolean>,
    dp.getFunction("registrationExpiry")(signer) as Promise<bigint>,
  ]);
  return trusted && BigInt(now) <= expiry;
}

interface ServedListing {
  listingId: string;
  record: { record: unknown; recordHash?: string; signature: string; signer: string } | null;
}

/** The oracle's served records by listing id (empty when the oracle does not answer). */
async function servedRecords(chain: ChainConfig): Promise<Map<bigint, ServedListing["record"]>> {
  try {
    const res = await fetch(`${chain.oracleUrl}/listings`);
    if (!res.ok) return new Map();
    const body = (await res.json()) as { listings?: ServedListing[] };
    return new Map((body.listings ?? []).map((l) => [BigInt(l.listingId), l.record]));
  } catch {
    return new Map();
  }
}

async function listingLogs(provider: BrowserProvider, chain: ChainConfig): Promise<HistoryLog[]> {
  const dp = registry(chain, provider);
  const topics = ["ListingPublished", "ListingWithdrawn", "ListingDealCreated"].map(
    (n) => dp.interface.getEvent(n)!.topicHash,
  );
  const logs: Log[] = await provider.getLogs({
    address: chain.dealProof,
    fromBlock: chain.deployBlock,
    toBlock: "latest",
    topics: [topics],
  });
  const out: HistoryLog[] = [];
  for (const l of logs) {
    const e = decodeDealProofEvent(l);
    if (e !== null) out.push({ name: e.name, args: e.args, transactionHash: l.transactionHash });
  }
  return out;
}

/** The market: every listing (newest first) with its state, sales, metadata and checked record. */
export async function marketListings(
  provider: BrowserProvider,
  chain: ChainConfig,
): Promise<{ now: number; index: MarketIndex; listings: MarketListing[] }> {
  const dp = registry(chain, provider);
  const [logs, served, block] = await Promise.all([
    listingLogs(provider, chain),
    servedRecords(chain),
    provider.getBlock("latest"),
  ]);
  const now = block!.timestamp;
  const index = marketIndex(logs);
  const metadata = new Map<bigint, string>();
  for (const l of logs)
    if (l.name === "ListingPublished") {
      const a = l.args as { listingId: bigint; terms: { metadataURI: string } };
      metadata.set(BigInt(a.listingId), String(a.terms.metadataURI));
    }
  const domain = dealProofDomain(chain.chainId, chain.dealProof);
  const trusted = new Map<string, Promise<boolean>>();
  const listings = await Promise.all(
    index.ids.map(async (id): Promise<MarketListing> => {
      const listing = listingViewOf(id, (await dp.getFunction("getListing")(id)) as RawListing);
      const base = { listing, sales: index.sales.get(id) ?? 0, metadataURI: metadata.get(id) ?? "" };
      const signed = served.get(id);
      if (signed === undefined || signed === null) return base;
      try {
        const who = signed.signer.toLowerCase();
        if (!trusted.has(who)) trusted.set(who, trustedNow(dp, signed.signer, now));
        const record = verifyVerifiedListing(signed, domain, (await trusted.get(who)) ? [signed.signer] : []);
        // a record speaks for one version of one root: an older version's is not this one's
        if (record.version !== listing.version || record.dataRoot !== listing.dataRoot.toLowerCase())
          return { ...base, recordProblem: "the oracle's record is for another version of this listing" };
        return { ...base, record };
      } catch (e) {
        return { ...base, recordProblem: e instanceof Error ? e.message : String(e) };
      }
    }),
  );
  return { now, index, listings };
}

/** What a seller publishes: the root, the layout from its key file, the pricing, the sealed input. */
export interface ListingDraft {
  dataRoot: string;
  posted: bigint | undefined;
  /** Unix seconds; 0: never. */
  expiresAt: number;
  chunkSize: number;
  size: number;
  metadataURI: string;
  input: Omit<SellerInput, "v">;
}

/** Publishes the listing, or (`update`) its next version: the SDK's publishListing / updateListing. */
export async function publishListing(
  provider: BrowserProvider,
  chain: ChainConfig,
  address: string,
  draft: ListingDraft,
  update = false,
): Promise<bigint> {
  const signer = await provider.getSigner(address);
  const dp = registry(chain, signer);
  const terms = {
    mode: draft.posted === undefined ? ("Negotiated" as const) : ("Posted" as const),
    ...(draft.posted === undefined ? {} : { postedPriceWei: draft.posted }),
    expiresAt: draft.expiresAt,
    chunkSize: draft.chunkSize,
    chunkCount: Math.ceil(draft.size / draft.chunkSize),
    byteSize: draft.size,
    metadataURI: draft.metadataURI,
    input: draft.input,
  };
  if (!update) return (await sdkPublishListing(dp, signer, { ...terms, dataRoot: draft.dataRoot })).listingId;
  const listingId = await listingIdOf(dp, signer, draft.dataRoot);
  return (await sdkUpdateListing(dp, signer, listingId, terms)).listingId;
}

export async function withdrawListing(
  provider: BrowserProvider,
  chain: ChainConfig,
  address: string,
  listingId: bigint,
) {
  const signer = await provider.getSigner(address);
  await sdkWithdrawListing(registry(chain, signer), signer, listingId);
}

/**
 * Seals the buyer's input for the listing deal's id and returns the call that escrows: the SDK's
 * prepareDealFromListing (the listing read again and refused if it cannot be bought, the input
 * sealed as for a direct deal), its request naming the listing version read here, so a listing
 * changed meanwhile is refused rather than bought on other terms. Nothing is sent until `send`.
 */
export async function prepareListingBuy(
  provider: BrowserProvider,
  chain: ChainConfig,
  address: string,
  listing: ListingView,
  terms: BuyerTerms,
) {
  const signer = await provider.getSigner(address);
  const d = await prepareDealFromListing(registry(chain, signer), signer, {
    ...terms,
    listingId: listing.listingId,
    version: listing.version,
  });
  return { dealId: d.dealId, delivery: d.delivery, escrowWei: terms.escrowWei, send: d.send };
}

export const listingHex = (id: bigint) => toBeHex(id, 32);
