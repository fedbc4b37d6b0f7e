/**
 * Seller: commit to and encrypt a dataset in the browser (SDK, streaming WebCrypto, progress),
 * download the encrypted file and a key file, then accept a deal with the seller's input sealed
 * here, or publish it as a listing on My listings (seller-listings.tsx). The dataset key stays in this page and the key file the seller downloads.
 */
import { useEffect, useState, type FormEvent } from "react";
import { formatEther } from "ethers";
import { commitAndEncryptDataset, formatDealId, shortDealId, type EncryptedDataset } from "dealproof";
import type { Connection } from "./wallet.ts";
import type { ChainConfig } from "./config.ts";
import { acceptDeal, readDeal, type DealView } from "./deals.ts";
import { badInput } from "./bad-input.ts";
import { plainError } from "./errors.ts";
import { readSellerKeyFile, type SellerKeyFile } from "./key-files.ts";
import { DownloadLink, ErrorLine, ProgressBar } from "./components.tsx";
import { SellerInputFields, readSellerInput } from "./seller-input.tsx";
import { rememberCommitted } from "./seller-listings.tsx";

const DEAL_ID = /^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/;

export function SellerPage({ conn, chain }: { conn: Connection; chain: ChainConfig }) {
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [enc, setEnc] = useState<(EncryptedDataset & { name: string }) | null>(null);
  const [keyFile, setKeyFile] = useState<SellerKeyFile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [accepted, setAccepted] = useState<bigint | null>(null);
  const [busy, setBusy] = useState(false);
  // the deal as DealProof holds it, shown before the seller accepts (escrow, buyer, deadline)
  const [dealIdText, setDealIdText] = useState("");
  const [preview, setPreview] = useState<DealView | string | null>(null);
  useEffect(() => {
    const t = dealIdText.trim();
    if (!DEAL_ID.test(t)) return setPreview(null);
    let live = true;
    readDeal(conn.provider, chain, BigInt(t)).then(
      (d) => live && setPreview(d.state === "None" ? "no deal with this id exists on DealProof" : d),
      (e: unknown) => live && setPreview(plainError(e)),
    );
    return () => {
      live = false;
    };
  }, [dealIdText, conn, chain]);

  const commit = async () => {
    if (file === null) return setError("choose a dataset file first");
    setError(null);
    setBusy(true);
    try {
      const r = await commitAndEncryptDataset(file, {
        onProgress: (done, total) => setProgress({ done, total }),
      });
      setEnc({ ...r, name: file.name });
      const k = { root: r.root, key: r.key, chunkSize: r.chunkSize, size: r.size };
      setKeyFile(k);
      rememberCommitted(k);
    } catch (e) {
      setError(plainError(e));
    } finally {
      setBusy(false);
    }
  };

  const accept = async (ev: FormEvent<HTMLFormElement>) => {
    ev.preventDefault();
    setError(null);
    const f = new FormData(ev.currentTarget);
    try {
      const dealId = String(f.get("dealId") ?? "").trim();
      if (!DEAL_ID.test(dealId)) throw badInput("the deal id must be a decimal or 0x-hex number");
      const { input } = await readSellerInput(f, keyFile);
      setBusy(true);
      await acceptDeal(conn.provider, chain, conn.address, BigInt(dealId), input);
      setAccepted(BigInt(dealId));
    } catch (e) {
      setError(plainError(e));
    } finally {
      setBusy(false);
    }
  };

  const loadKeyFile = async (f: File | undefined) => {
    if (f === undefined) return;
    try {
      setKeyFile(readSellerKeyFile(await f.text()));
    } catch (e) {
      setError(plainError(e));
    }
  };

  return (
    <section aria-labelledby="sell-h">
      <h2 id="sell-h">Sell a dataset</h2>
      <h3>1. Commit and encrypt (in this browser)</h3>
      <label>
        Dataset file
        <input type="file" name="dataset" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </label>
      <button onClick={() => void commit()} disabled={busy || file === null}>
        Commit and encrypt
      </button>
      {progress === null ? null : (
        <ProgressBar label="Committing and encrypting" done={progress.done} total={progress.total} />
      )}
      {enc === null ? null : (
        <div className="result">
          <p>
            dataRoot <code data-testid="data-root">{enc.root}</code>
          </p>
          <p>
            {enc.size} bytes in {enc.chunkCount} chunk(s) of {enc.chunkSize} bytes
          </p>
          <DownloadLink data={enc.encrypted} name={`${enc.name}.enc`}>
            Download the encrypted file
          </DownloadLink>{" "}
          <DownloadLink data={JSON.stringify(keyFile)} name={`${enc.name}.key.json`}>
            Download the key file (keep it secret)
          </DownloadLink>
          <p>
            Host the encrypted file at an https:// address, then accept the buyer's deal below, or{" "}
            <a href="#/sell/listings">publish it as a listing</a>.
          </p>
        </div>
      )}
      <h3>2. Accept a deal</h3>
      <form onSubmit={(e) => void accept(e)}>
        <label>
          Key file (if you committed earlier)
          <input
            type="file"
            accept=".json,application/json"
            onChange={(e) => void loadKeyFile(e.target.files?.[0])}
          />
        </label>
        {keyFile === null ? null : (
          <p>
            Using dataset <code>{keyFile.root.slice(0, 18)}…</code>
          </p>
        )}
        <label>
          Deal id
          <input name="dealId" required value={dealIdText} onChange={(e) => setDealIdText(e.target.value)} />
        </label>
        {typeof preview === "string" ? (
          <p data-testid="deal-preview">{preview}</p>
        ) : preview === null ? null : (
          <p data-testid="deal-preview">
            Deal {shortDealId(BigInt(dealIdText.trim()))}: <strong>{preview.state}</strong> · escrow{" "}
            {formatEther(preview.escrow)} ETH (the most the buyer can pay) · buyer{" "}
            <code>{preview.buyer}</code> · deadline{" "}
            {new Date(Number(preview.deadline) * 1000).toLocaleString()}
            {preview.seller.toLowerCase() !== conn.address.toLowerCase()
              ? " · it names another seller: switch to that account to accept it"
              : ""}
          </p>
        )}
        <SellerInputFields />
        <button type="submit" disabled={busy}>
          Accept deal
        </button>
      </form>
      {accepted === null ? null : (
        <p role="status">
          Accepted:{" "}
          <a href={`#/deal/${formatDealId(accepted)}`} title={formatDealId(accepted)}>
            deal {shortDealId(accepted)}
          </a>
        </p>
      )}
      <ErrorLine error={error} />
    </section>
  );
}
