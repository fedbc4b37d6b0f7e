/**
 * The API's listing views (DESIGN.md §11): `GET /listings` (every listing's newest version) and
 * `GET /listings/:id` (one listing, every version), each with its public terms, whether it was
 * withdrawn, its number of sales and its enclave-signed verified-listing record — null while the
 * version is being verified. Public and without sign-in: a listing is public on-chain and a record
 * holds only what its buyers may see (sdk/src/verified-listing.ts verifies it in the browser).
 */
import type { ListingRow } from "../daemon/listing-store.ts";
import type { Store } from "../daemon/store.ts";

const MAX_UINT256 = (1n << 256n) - 1n;

/** A listing id as the API takes it: 0x + 64 hex digits (as events show it) or canonical decimal. */
export function parseListingId(s: string): bigint | undefined {
  if (!/^(0x[0-9a-fA-F]{64}|0|[1-9][0-9]{0,77})$/.test(s)) return undefined;
  const id = BigInt(s);
  return id <= MAX_UINT256 ? id : undefined;
}

const hex32 = (id: bigint) => `0x${id.toString(16).padStart(64, "0")}`;

function versionView(r: ListingRow) {
  return {
    version: r.version,
    terms: r.terms,
    publishedBlock: r.block,
    status: r.record === null ? "verifying" : r.record.record.verdict,
    record: r.record,
  };
}

function listingView(store: Store, newest: ListingRow) {
  return {
    listingId: hex32(newest.listing_id),
    seller: newest.seller,
    dataRoot: newest.data_root,
    withdrawn: newest.withdrawn_block !== null,
    sales: store.listings.sales(newest.listing_id),
    ...versionView(newest),
  };
}

/** GET /listings: the newest version of each listing, newest first. */
export function listingsView(store: Store) {
  return { listings: store.listings.latest().map((r) => listingView(store, r)) };
}

/** GET /listings/:id: the listing at its newest version, with every version; undefined if unknown. */
export function listingDetailView(store: Store, id: bigint) {
  const versions = store.listings.versions(id);
  if (versions.length === 0) return undefined;
  return { ...listingView(store, versions[0]!), versions: versions.map(versionView) };
}
