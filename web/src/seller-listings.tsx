/**
 * "My listings" (the seller's page, #/sell/listings): publish a committed dataset as a listing
 * (its root and layout from the key file — the one just committed on Sell, kept in this tab's
 * memory, or a loaded key file — a floor or a posted price, an expiry, a metadata URI; the
 * seller's input sealed to the listing here), then the seller's own listings with their status
 * and sales, each with "Withdraw"; "Update" publishes a new version of the loaded dataset's
 * listing from the form. Listing deals show in My deals with the rest.
 */
import { useState, type FormEvent } from "react";
import type { Connection } from "./wallet.ts";
import type { ChainConfig } from "./config.ts";
import { readSellerKeyFile, type SellerKeyFile } from "./key-files.ts";
import { listingHex, publishListing, withdrawListing } from "./listings.ts";
import { listingStatusWords, pricingWords, verdictWords } from "./listing-words.ts";
import { sellerListings } from "./market.ts";
import { useMarket } from "./market-page.tsx";
import { SellerInputFields, readSellerInput } from "./seller-input.tsx";
import { badInput } from "./bad-input.ts";
import { plainError } from "./errors.ts";
import { ErrorLine } from "./components.tsx";

/** The key file of the dataset committed last on the Sell page (this tab's memory only). */
let committed: SellerKeyFile | null = null;
export const rememberCommitted = (k: SellerKeyFile) => {
  committed = k;
};

export function SellerListings({ conn, chain }: { conn: Connection; chain: ChainConfig }) {
  const { market, error: loadError, reload } = useMarket(conn, chain);
  const [keyFile, setKeyFile] = useState<SellerKeyFile | null>(committed);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [form, setForm] = useState<HTMLFormElement | null>(null);

  const run = async (what: string, f: () => Promise<unknown>) => {
    setError(null);
    setDone(null);
    setBusy(true);
    try {
      await f();
      setDone(what);
    } catch (e) {
      setError(plainError(e));
    } finally {
      setBusy(false);
      reload();
    }
  };

  const loadKeyFile = async (file: File | undefined) => {
    if (file === undefined) return;
    try {
      setKeyFile(readSellerKeyFile(await file.text()));
    } catch (e) {
      setError(plainError(e));
    }
  };

  const publish = (update: boolean) => async () => {
    if (form === null) return;
    const f = new FormData(form);
    await run(update ? "Updated" : "Published", async () => {
      const { input, postedWei } = await readSellerInput(f, keyFile);
      const days = Number(String(f.get("expiryDays") ?? "").trim() || "0");
      if (!(days >= 0 && days <= 3650))
        throw badInput("the expiry must be 0 (never) to 3650 days", "e.g. 30");
      const now = (await conn.provider.getBlock("latest"))!.timestamp;
      await publishListing(
        conn.provider,
        chain,
        conn.address,
        {
          dataRoot: keyFile!.root,
          posted: postedWei,
          expiresAt: days === 0 ? 0 : now + Math.round(days * 86400),
          chunkSize: keyFile!.chunkSize,
          size: keyFile!.size,
          metadataURI: String(f.get("metadataURI") ?? "").trim(),
          input,
        },
        update,
      );
    });
  };

  const submit = (ev: FormEvent<HTMLFormElement>) => {
    ev.preventDefault();
    void publish(false)();
  };

  const mine =
    market === null
      ? []
      : sellerListings(market.index, conn.address)
          .map((id) => market.listings.find((m) => m.listing.listingId === id))
          .filter((m) => m !== undefined);
  const current = keyFile === null ? undefined : mine.find((m) => m.listing.dataRoot === keyFile.root);

  return (
    <section aria-labelledby="listings-h">
      <h2 id="listings-h">My listings</h2>
      <p>
        A listing is a standing offer any buyer can take. Commit and encrypt the dataset on the{" "}
        <a href="#/sell">Sell</a> page first (or load its key file here).
      </p>
      <h3>Publish or update</h3>
      <form ref={setForm} onSubmit={submit}>
        <label>
          Dataset key file
          <input
            type="file"
            accept=".json,application/json"
            onChange={(e) => void loadKeyFile(e.target.files?.[0])}
          />
        </label>
        {keyFile === null ? (
          <p>No dataset loaded yet.</p>
        ) : (
          <p data-testid="listing-dataset">
            Dataset <code title={keyFile.root}>{keyFile.root.slice(0, 18)}…</code> · {keyFile.size} bytes in
            chunks of {keyFile.chunkSize}
          </p>
        )}
        <SellerInputFields postedLabel="Posted price (ETH, optional: buyers pay exactly this; empty to negotiate within the floor)" />
        <label>
          Expires after (days; 0 or empty: never)
          <input name="expiryDays" type="number" min="0" defaultValue="30" />
        </label>
        <label>
          Metadata URI (public: a title or a page describing the dataset)
          <input name="metadataURI" maxLength={256} placeholder="ipfs://… or https://…" />
        </label>
        <button type="submit" disabled={busy || keyFile === null || current !== undefined}>
          Publish listing
        </button>{" "}
        <button
          type="button"
          onClick={() => void publish(true)()}
          disabled={busy || current === undefined || current.listing.status === "Withdrawn"}
        >
          Update listing (new version)
        </button>
      </form>
      {done === null ? null : <p role="status">{done}.</p>}
      <h3>Your listings</h3>
      {mine.length === 0 ? (
        <p>None yet.</p>
      ) : (
        <ul className="my-listings">
          {mine.map((m) => {
            const id = listingHex(m.listing.listingId);
            return (
              <li key={id} data-listing={id} data-status={m.listing.status}>
                <a href={`#/listing/${id}`} title={id}>
                  {m.metadataURI === "" ? `${id.slice(0, 10)}…` : m.metadataURI}
                </a>{" "}
                v{m.listing.version} · {listingStatusWords(m.listing)} · {pricingWords(m.listing)} ·{" "}
                {verdictWords(m.record?.verdict)} · {m.sales} sale(s){" "}
                {m.listing.status === "Withdrawn" ? null : (
                  <button
                    onClick={() =>
                      void run("Withdrawn", () =>
                        withdrawListing(conn.provider, chain, conn.address, m.listing.listingId),
                      )
                    }
                    disabled={busy}
                  >
                    Withdraw
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <ErrorLine error={error ?? loadError} />
    </section>
  );
}
