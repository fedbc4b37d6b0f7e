/**
 * Buyer: create a deal with the buyer's input sealed in this browser. The delivery key pair is
 * generated here; its private key is offered as a download and never sent anywhere.
 */
import { useState, type FormEvent } from "react";
import { getAddress, hexlify } from "ethers";
import { MAX_DEAL_DURATION, MAX_TEXT, buyerInputSchema, parseEthAmount } from "dealproof";
import type { Connection } from "./wallet.ts";
import type { ChainConfig } from "./config.ts";
import { createDeal } from "./deals.ts";
import { badInput } from "./bad-input.ts";
import { plainError } from "./errors.ts";
import { DownloadLink, ErrorLine } from "./components.tsx";
import { rememberDeliveryKey } from "./delivery-keys.ts";

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
  const [created, setCreated] = useState<{ dealId: bigint; keyFile: string } | null>(null);

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
      setBusy(true);
      const d = await createDeal(conn.provider, chain, conn.address, {
        seller,
        dataRoot,
        escrowWei,
        budgetWei,
        deadline: now + Math.round(hours * 3600),
        requirements: String(f.get("requirements") ?? ""),
        ...(domain !== "" ? { requireSellerDomain: domain } : {}),
      });
      const keyFile = JSON.stringify({
        dealId: d.dealId.toString(),
        deliveryPrivateKey: hexlify(d.delivery.privateKey),
      });
      rememberDeliveryKey(d.dealId, d.delivery.privateKey);
      setCreated({ dealId: d.dealId, keyFile });
      await d.send();
    } catch (e) {
      setCreated(null);
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
        <button type="submit" disabled={busy}>
          Create deal
        </button>
      </form>
      {created === null ? null : (
        <div role="status" className="result">
          <p>
            Deal{" "}
            <a href={`#/deal/${created.dealId}`} data-testid="deal-link">
              {created.dealId.toString().slice(0, 12)}…
            </a>{" "}
            {busy ? "is being created…" : "created."}
          </p>
          <DownloadLink
            data={created.keyFile}
            name={`deal-${created.dealId.toString().slice(0, 10)}.delivery-key.json`}
          >
            Download your delivery key (it opens the dataset; keep it)
          </DownloadLink>
        </div>
      )}
      <ErrorLine error={error} />
    </section>
  );
}
