/**
 * "Listings": every published dataset as a row — the oracle's datasheet verdict (its signed record
 * checked in this browser against a signer DealProof trusts now), the seller's DKIM-verified
 * domain from the record, the price mode and price, the number of sales and the status (withdrawn,
 * expired and re-publish needed said as such), each linking to its listing page with Buy.
 */
import { useEffect, useState } from "react";
import type { Connection } from "./wallet.ts";
import type { ChainConfig } from "./config.ts";
import { marketListings, listingHex, verdictOf, type MarketListing } from "./listings.ts";
import { listingStatusWords, pricingWords, verdictWords } from "./listing-words.ts";
import { plainError } from "./errors.ts";
import { ErrorLine } from "./components.tsx";

/** The seller's domain as the record proved it, or why there is none. */
export function domainWords(m: MarketListing): string {
  const id = m.record?.sellerIdentity;
  if (id === undefined) return "unknown (no verified record)";
  if (id.domain === null) return "none given";
  return id.verified ? `✓ ${id.domain}` : `✗ ${id.domain} (not verified)`;
}

export function useMarket(conn: Connection, chain: ChainConfig) {
  const [market, setMarket] = useState<Awaited<ReturnType<typeof marketListings>> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    marketListings(conn.provider, chain).then(
      (m) => live && setMarket(m),
      (e: unknown) => live && setError(plainError(e)),
    );
    return () => {
      live = false;
    };
  }, [conn, chain, tick]);
  return { market, error, reload: () => setTick((t) => t + 1) };
}

export function MarketPage({ conn, chain }: { conn: Connection; chain: ChainConfig }) {
  const { market, error } = useMarket(conn, chain);
  return (
    <section aria-labelledby="market-h">
      <h2 id="market-h">Listings</h2>
      {market === null ? null : market.listings.length === 0 ? (
        <p>
          No listings yet. <a href="#/sell">Publish one</a>.
        </p>
      ) : (
        <div className="table-scroll">
          <table className="deals listings">
            <thead>
              <tr>
                <th>Listing</th>
                <th>Datasheet</th>
                <th>Seller domain</th>
                <th>Price</th>
                <th>Sales</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {market.listings.map((m) => {
                const id = listingHex(m.listing.listingId);
                return (
                  <tr key={id} data-listing={id} data-status={m.listing.status}>
                    <td>
                      <a href={`#/listing/${id}`} title={id}>
                        {m.metadataURI === "" ? `${id.slice(0, 10)}…` : m.metadataURI}
                      </a>{" "}
                      v{m.listing.version}
                    </td>
                    <td data-testid="listing-verdict" title={m.recordProblem}>
                      {verdictWords(verdictOf(m))}
                    </td>
                    <td data-testid="listing-domain">{domainWords(m)}</td>
                    <td data-testid="listing-price">{pricingWords(m.listing)}</td>
                    <td data-testid="listing-sales">{m.sales}</td>
                    <td data-testid="listing-status">{listingStatusWords(m.listing)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ErrorLine error={error} />
    </section>
  );
}
