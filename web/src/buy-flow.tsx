/**
 * The buyer's path shared by "Buy" (a direct deal) and a listing's Buy button: the buyer's fields
 * (budget, escrow, requirements, required seller domain, deadline) read and checked, the checks
 * editor's rows validated with the SDK's schema before anything is sent, then two steps — the
 * delivery key offered as a download (kept in this tab's memory too), and only once it is saved
 * "Escrow … and create the deal" moves any ETH.
 */
import { useState } from "react";
import { formatEther, hexlify } from "ethers";
import {
  MAX_DEAL_DURATION,
  MAX_TEXT,
  buyerInputSchema,
  formatDealId,
  parseEthAmount,
  shortDealId,
  type X25519KeyPair,
} from "dealproof";
import type { Connection } from "./wallet.ts";
import { badInput } from "./bad-input.ts";
import { plainError } from "./errors.ts";
import { DownloadLink } from "./components.tsx";
import { rememberDeliveryKey } from "./delivery-keys.ts";
import { checksInput, emptyChecks, type ChecksProblems, type ChecksState } from "./checks-editor.tsx";
import type { NewDeal } from "./deals.ts";

/** Whether this SDK's buyer input carries a required seller domain (added by the negotiation work). */
const domainSupported = "requireSellerDomain" in buyerInputSchema.shape;

const ethField = (name: string, v: FormDataEntryValue | null) => {
  const wei = parseEthAmount(String(v ?? "").trim());
  if (wei === undefined) throw badInput(`the ${name} must be an amount of ETH`, "e.g. 1.5");
  return wei;
};

/** The buyer's terms from its form fields, with the checks already validated. */
export type BuyerTerms = Omit<NewDeal, "seller" | "dataRoot">;

/** A deal sealed and ready to send: its id, the key file to save, and the call that escrows. */
interface PreparedBuy {
  dealId: bigint;
  keyFile: string;
  escrowWei: bigint;
  send: () => Promise<unknown>;
}

/** The form state of a buy and its two steps. */
export function useBuyFlow(conn: Connection) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [prepared, setPrepared] = useState<PreparedBuy | null>(null);
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

  /** The buyer's fields and checks as terms; throws (nothing sent) when one is wrong. */
  const readTerms = async (f: FormData): Promise<BuyerTerms> => {
    const escrowWei = ethField("escrow", f.get("escrow"));
    const budgetWei = ethField("budget", f.get("budget"));
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
    return {
      escrowWei,
      budgetWei,
      deadline: now + Math.round(hours * 3600),
      requirements: String(f.get("requirements") ?? ""),
      ...(domain !== "" ? { requireSellerDomain: domain } : {}),
      ...(c.checks === undefined ? {} : { checks: c.checks }),
      ...(c.overlapKeys === undefined ? {} : { overlapKeys: c.overlapKeys }),
    };
  };

  /** Step 1: seal the deal (`make`: the chain module's call); its key is offered, nothing escrowed. */
  const prepare = async (
    make: () => Promise<{
      dealId: bigint;
      delivery: X25519KeyPair;
      escrowWei: bigint;
      send: () => Promise<unknown>;
    }>,
  ) => {
    setError(null);
    try {
      setBusy(true);
      const d = await make();
      const keyFile = JSON.stringify({
        dealId: formatDealId(d.dealId),
        deliveryPrivateKey: hexlify(d.delivery.privateKey),
      });
      rememberDeliveryKey(d.dealId, d.delivery.privateKey);
      setKeySaved(false);
      setCreated(false);
      setPrepared({ dealId: d.dealId, keyFile, escrowWei: d.escrowWei, send: d.send });
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  /** Step 2: escrow and create (only once the key is saved). */
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

  /** A field was wrong: say so; a deal prepared before is dropped (as if never sealed). */
  const fail = (e: unknown) => {
    setPrepared(null);
    setError(plainError(e));
  };

  return {
    error,
    setError,
    fail,
    busy,
    prepared,
    keySaved,
    setKeySaved,
    created,
    checks,
    problems,
    editChecks,
    readTerms,
    prepare,
    send,
  };
}

/** The buyer's own fields: budget (sealed), escrow (public), requirements, seller domain, deadline. */
export function BuyerFields({ escrowHint }: { escrowHint?: string }) {
  return (
    <>
      <label>
        Budget (ETH, sealed: the seller never sees it)
        <input name="budget" required inputMode="decimal" />
      </label>
      <label>
        Escrow (ETH, public, the most you can pay{escrowHint === undefined ? "" : `; ${escrowHint}`})
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
    </>
  );
}

/** Step 1's key download and step 2's escrow button, the latter enabled only once the key is saved. */
export function KeyThenEscrow({ flow }: { flow: ReturnType<typeof useBuyFlow> }) {
  const { prepared, created, busy, keySaved } = flow;
  if (prepared === null) return null;
  return (
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
        onDownload={() => flow.setKeySaved(true)}
        data={prepared.keyFile}
        name={`deal-${shortDealId(prepared.dealId).replace("…", "-")}.delivery-key.json`}
      >
        Download your delivery key (it opens the dataset; keep it)
      </DownloadLink>
      <p>2. Escrow the ETH and create the deal (your wallet asks to confirm).</p>
      <button onClick={() => void flow.send()} disabled={busy || created || !keySaved}>
        Escrow {formatEther(prepared.escrowWei)} ETH and create the deal
      </button>
      {keySaved ? null : <p>Download the key first: the escrow moves only once it is saved.</p>}
    </div>
  );
}
