/**
 * The market's listings from DealProof's listing events (DESIGN §11), pure: which listings exist
 * (newest published first), each one's number of sales (its ListingDealCreated logs) and the ids a
 * seller published. The decoded logs in, oldest first; unit-tested under Node
 * (test/web/market.test.ts). The chain reads are listings.ts's.
 */
import type { HistoryLog } from "./deal-history.ts";

export interface MarketIndex {
  /** Listing ids, the most recently published (or updated) first. */
  ids: bigint[];
  /** Sales per listing id (ListingDealCreated logs). */
  sales: Map<bigint, number>;
  /** The seller of each listing (lowercase), from its ListingPublished logs. */
  sellers: Map<bigint, string>;
}

const big = (v: unknown): bigint => (typeof v === "bigint" ? v : BigInt(String(v ?? 0)));

export function marketIndex(logs: readonly HistoryLog[]): MarketIndex {
  const lastPublished = new Map<bigint, number>();
  const sales = new Map<bigint, number>();
  const sellers = new Map<bigint, string>();
  logs.forEach((l, i) => {
    const a = l.args as { readonly [field: string]: unknown };
    if (l.name === "ListingPublished") {
      const id = big(a.listingId);
      lastPublished.set(id, i);
      sellers.set(id, String(a.seller ?? "").toLowerCase());
      if (!sales.has(id)) sales.set(id, 0);
    } else if (l.name === "ListingDealCreated") {
      const id = big(a.listingId);
      sales.set(id, (sales.get(id) ?? 0) + 1);
    }
  });
  const ids = [...lastPublished.entries()].sort((x, y) => y[1] - x[1]).map(([id]) => id);
  return { ids, sales, sellers };
}

/** The listings `seller` published, newest first. */
export function sellerListings(index: MarketIndex, seller: string): bigint[] {
  const me = seller.toLowerCase();
  return index.ids.filter((id) => index.sellers.get(id) === me);
}
