/**
 * Buyer: create a deal with the buyer's input sealed in this browser, in two steps: "Prepare"
 * checks the oracle (up, this deployment, the registered one), generates the delivery key pair and
 * seals the input; the private key is offered as a download, and only once it is saved does
 * "Escrow … and create the deal" move any ETH. The key is never sent anywhere. The buyer's checks
 * on the data (checks-editor.tsx) are validated with the SDK's schema before anything is sent.
 */
import { useState, type FormEvent } from "react";
import { formatEther, getAddress, hexlify } from "ethers";
import {
  MAX_DEAL_DURATION,
  MAX_TEXT,
  buyerInputSchema,
  formatDealId,
  parseEthAmount,
  shortDealId,
} from "dealproof";
import type { Connection } from "./wallet.ts";
import type { ChainConfig } from "./config.ts";
import { createDeal } from "./deals.ts";
import { badInput } from "./bad-input.ts";
import { plainError } from "./errors.ts";
import { DownloadLink, ErrorLine } from "./components.tsx";
import { rememberDeliveryKey } from "./delivery-keys.ts";
import {
  ChecksEditor,
  checksInput,
  emptyChecks,
  type ChecksProblems,
  type ChecksState,
} from "./checks-editor.tsx";

/** Whether this SDK's buyer input carries a required seller domain (added by the negotiation work). */
const domainSupported = "requireSellerDomain" in buyerInputSchema.shape;

const eth = (name: string, v: FormDataEntryValue | null) => {
  const wei = parseEthAmount(String(v ?? "").trim());
  if (wei === undefined) throw badInput(`the ${name} must be an amount of ETH`, "e.g. 1.5");
  return wei;
};

export function BuyerPage({ conn, chain }: { conn: Connection; chain: ChainConfig }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [prepared, setPrepared] = useState<{
    dealId: bigint;
    keyFile: string;
    escrowWei: bigint;
    send: () => Promise<unknown>;
  } | null>(null);
  const [keySaved, setKeySaved] = useState(false);
  const [created, setCreated] = useState(false);
  const [checks, setChecks] = useState<ChecksState>(emptyChecks);
  const [problems, setProblems] = useState<ChecksProblems | null>(null);

  // once the buyer tried to create the deal, the marks follow each edit
  const editChecks = (next: ChecksState) => {
    setChecks(next);
    if (problems === null) return;
    const r = checksInput(next);
    setProblems(r.ok ? null : r);
    if (r.ok) setError(null);
  };

  const submit = async (ev: FormEvent<HTMLFormElement>) => {
    ev.preventDefault();
    setError(null);
    const f = new FormData(ev.currentTarget);
    try {
      let seller: string;
      try {
        seller = getAddress(String(f.get("seller") ?? "").trim());
      } catch {
        throw badInput("the seller must be an Ethereum address", "0x and 40 hex digits");
      }
      const dataRoot = String(f.get("dataRoot") ?? "").trim();
      if (!/^0x[0-9a-fA-F]{64}$/.test(dataRoot))
        throw badInput("the dataset root must be 32 bytes of hex", "0x and 64 hex digits, from the seller");
      const escrowWei = eth("escrow", f.get("escrow"));
      const budgetWei = eth("budget", f.get("budget"));
      const hours = Number(f.get("hours"));
      if (!(hours > 0 && hours <= MAX_DEAL_DURATION / 3600))
        throw badInput("the deadline must be 1 hour to a year away");
      const now = (await conn.provider.getBlock("latest"))!.timestamp;
      const domain = String(f.get("domain") ?? "").trim();
      // the checks are validated with the SDK's schema here, before the oracle is asked or any ETH moves
      const c = checksInput(checks);
      setProblems(c.ok ? null : c);
      if (!c.ok)
        throw badInput(
          "some checks are not valid, so nothing was sent",
          "fix the fields marked in the checks editor",
        );
      setBusy(true);
      const d = await createDeal(conn.provider, chain, conn.address, {
        seller,
        dataRoot,
        escrowWei,
        budgetWei,
        deadline: now + Math.round(hours * 3600),
        requirements: String(f.get("requirements") ?? ""),
        ...(domain !== "" ? { requireSellerDomain: domain } : {}),
        ...(c.checks === undefined ? {} : { checks: c.checks }),
        ...(c.overlapKeys === undefined ? {} : { overlapKeys: c.overlapKeys }),
      });
      const keyFile = JSON.stringify({
        dealId: formatDealId(d.dealId),
        deliveryPrivateKey: hexlify(d.delivery.privateKey),
      });
      rememberDeliveryKey(d.dealId, d.delivery.privateKey);
      setKeySaved(false);
      setCreated(false);
      setPrepared({ dealId: d.dealId, keyFile, escrowWei, send: d.send });
    } catch (e) {
      setPrepared(null);
      setError(plainError(e));
    } finally {
      setBusy(false);
    }
  };

  const send = async () => {
    if (prepared === null) return;
    setError(null);
    setBusy(true);
    try {
      await prepared.send();
      setCreated(true);
    } catch (e) {
      setError(plainError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="buy-h">
      <h2 id="buy-h">Buy a dataset</h2>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          Seller address
          <input name="seller" required autoComplete="off" />
        </label>
        <label>
          Dataset root (dataRoot)
          <input name="dataRoot" required autoComplete="off" />
        </label>
        <label>
          Budget (ETH, sealed: the seller never sees it)
          <input name="budget" required inputMode="decimal" />
        </label>
        <label>
          Escrow (ETH, public, the most you can pay)
          <input name="escrow" required inputMode="decimal" />
        </label>
        <label>
          Requirements
          <textarea name="requirements" required maxLength={MAX_TEXT} />
        </label>
        <label>
          Required seller domain (optional)
          <input
            name="domain"
            disabled={!domainSupported}
            placeholder={domainSupported ? "acme-data.com" : "not supported by this SDK version"}
          />
        </label>
        <label>
          Deadline (hours from now)
          <input name="hours" type="number" min="1" defaultValue="24" required />
        </label>
        <ChecksEditor value={checks} onChange={editChecks} problems={problems} />
        <button type="submit" disabled={busy}>
          Create deal
        </button>
      </form>
      {prepared === null ? null : (
        <div role="status" className="result">
          <p>
            Deal{" "}
            <a
              href={`#/deal/${formatDealId(prepared.dealId)}`}
              data-testid="deal-link"
              title={formatDealId(prepared.dealId)}
            >
              {shortDealId(prepared.dealId)}
            </a>{" "}
            {created ? "created." : busy ? "is being created…" : "is ready; nothing has been escrowed yet."}
          </p>
          <p>1. Save your delivery key: it alone opens the dataset, and it is not kept anywhere else.</p>
          <DownloadLink
            onDownload={() => setKeySaved(true)}
            data={prepared.keyFile}
            name={`deal-${shortDealId(prepared.dealId).replace("…", "-")}.delivery-key.json`}
          >
            Download your delivery key (it opens the dataset; keep it)
          </DownloadLink>
          <p>2. Escrow the ETH and create the deal (your wallet asks to confirm).</p>
          <button onClick={() => void send()} disabled={busy || created || !keySaved}>
            Escrow {formatEther(prepared.escrowWei)} ETH and create the deal
          </button>
          {keySaved ? null : <p>Download the key first: the escrow moves only once it is saved.</p>}
        </div>
      )}
      <ErrorLine error={error} />
    </section>
  );
}
