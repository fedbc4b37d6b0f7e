/**
 * One listing with "Buy": its terms, verdict and record, then the buyer's fields (budget, escrow,
 * checks, deadline) in the shared two steps (buy-flow.tsx) — the delivery key saved before the
 * escrow moves — with a posted price above the escrow, a withdrawn, expired, retired-key,
 * unverified or own listing refused in the form (listing-words.ts buyProblem) before anything is
 * sealed; createDealFromListing carries the listing version read here.
 */
import type { FormEvent } from "react";
import { formatEther } from "ethers";
import type { Connection } from "./wallet.ts";
import type { ChainConfig } from "./config.ts";
import { prepareListingBuy, verdictOf } from "./listings.ts";
import { buyProblem, listingStatusWords, pricingWords, verdictWords } from "./listing-words.ts";
import { ErrorLine } from "./components.tsx";
import { ChecksEditor } from "./checks-editor.tsx";
import { BuyerFields, KeyThenEscrow, useBuyFlow } from "./buy-flow.tsx";
import { domainWords, useMarket } from "./market-page.tsx";

export function ListingPage({
  conn,
  chain,
  listingId,
}: {
  conn: Connection;
  chain: ChainConfig;
  listingId: bigint;
}) {
  const flow = useBuyFlow(conn);
  const { market, error } = useMarket(conn, chain);
  const m = market?.listings.find((l) => l.listing.listingId === listingId);

  const submit = async (ev: FormEvent<HTMLFormElement>) => {
    ev.preventDefault();
    flow.setError(null);
    if (m === undefined || market === null) return;
    const f = new FormData(ev.currentTarget);
    let terms: Awaited<ReturnType<typeof flow.readTerms>>;
    try {
      terms = await flow.readTerms(f);
      const problem = buyProblem(m.listing, conn.address, terms.escrowWei, market.now, verdictOf(m));
      if (problem !== null) throw problem;
    } catch (e) {
      return flow.fail(e);
    }
    await flow.prepare(() => prepareListingBuy(conn.provider, chain, conn.address, m.listing, terms));
  };

  if (market !== null && m === undefined)
    return (
      <section aria-labelledby="listing-h">
        <h2 id="listing-h">Listing</h2>
        <p>No listing has this id on this chain.</p>
      </section>
    );
  const l = m?.listing;
  return (
    <section aria-labelledby="listing-h">
      <h2 id="listing-h">{m === undefined || m.metadataURI === "" ? "Listing" : m.metadataURI}</h2>
      {m === undefined || l === undefined ? null : (
        <dl className="facts" data-testid="listing-facts">
          <dt>Status</dt>
          <dd data-testid="listing-status">{listingStatusWords(l)}</dd>
          <dt>Price</dt>
          <dd data-testid="listing-price">{pricingWords(l)}</dd>
          <dt>Datasheet</dt>
          <dd data-testid="listing-verdict" title={m.recordProblem}>
            {verdictWords(verdictOf(m))}
          </dd>
          <dt>Seller domain</dt>
          <dd>{domainWords(m)}</dd>
          <dt>Seller</dt>
          <dd>
            <code>{l.seller}</code>
          </dd>
          <dt>Dataset</dt>
          <dd>
            <code title={l.dataRoot}>{l.dataRoot.slice(0, 18)}…</code>
            {m.record?.layout == null ? "" : ` · ${m.record.layout.byteSize} bytes`}
            {m.record?.profile == null
              ? ""
              : ` · ${m.record.profile.format}${m.record.profile.records === undefined ? "" : `, ${m.record.profile.records} rows`}`}
          </dd>
          <dt>Sales</dt>
          <dd>{m.sales}</dd>
          <dt>Version</dt>
          <dd>{l.version}</dd>
        </dl>
      )}
      <h3>Buy</h3>
      <form onSubmit={(e) => void submit(e)}>
        <BuyerFields
          {...(l?.mode === "Posted"
            ? { escrowHint: `at least the posted ${formatEther(l.postedPriceWei)} ETH` }
            : {})}
        />
        <ChecksEditor value={flow.checks} onChange={flow.editChecks} problems={flow.problems} />
        <button type="submit" disabled={flow.busy || m === undefined}>
          Buy
        </button>
      </form>
      <KeyThenEscrow flow={flow} />
      <ErrorLine error={flow.error ?? error} />
    </section>
  );
}
