/**
 * A deal's page: timeline from chain events, the oracle's status, the transcript after a wallet
 * sign-in (with a chart of offers and the data checks' results the terms bind, their hash
 * recomputed here), the settlement quote verified in this browser (loaded on
 * demand), delivery (open the key, fetch, decrypt and check against dataRoot here), withdraw and
 * refund. (The list of the account's deals is my-deals.tsx.)
 */
import { useCallback, useEffect, useState } from "react";
import { formatEther, getBytes, toBeHex } from "ethers";
import {
  decryptAndVerifyDataset,
  fetchDealTranscript,
  fetchOracleDeal,
  formatDealId,
  offersByRound,
  openDelivery,
  shortDealId,
  signInToOracle,
  type OracleDealView,
  type SettlementQuoteVerdict,
} from "dealproof";
import type { Connection } from "./wallet.ts";
import type { ChainConfig } from "./config.ts";
import {
  dealProof,
  dealTimeline,
  readDeal,
  sendDealCall,
  type DealView,
  type TimelineEvent,
} from "./deals.ts";
import { badInput } from "./bad-input.ts";
import { plainError } from "./errors.ts";
import {
  chartLabels,
  CheckResults,
  DownloadLink,
  ErrorLine,
  OffersChart,
  ProgressBar,
  QuoteChecks,
  Timeline,
  type RoundOffers,
} from "./components.tsx";
import { recallDeliveryKey } from "./delivery-keys.ts";
import { readDeliveryKeyFile } from "./key-files.ts";
import { termsChecks, type TermsChecks } from "./terms-checks.ts";

const eth = (wei: bigint) => `${formatEther(wei)} ETH`;
const short = (h: string) => `${h.slice(0, 10)}…`;

function describe(e: TimelineEvent): string {
  switch (e.name) {
    case "DealCreated":
      return `buyer ${short(e.args.buyer)} escrowed ${eth(e.args.escrow)} for dataset ${short(e.args.dataRoot)}`;
    case "ListingDealCreated":
      return `buyer ${short(e.args.buyer)} escrowed ${eth(e.args.escrow)} for listing ${short(toBeHex(e.args.listingId, 32))} (version ${e.args.version})`;
    case "DealAccepted":
      return `seller ${short(e.args.seller)} accepted (input sealed to the oracle)`;
    case "DealSettled":
      return e.args.agreed
        ? `agreed at ${eth(e.args.price)}; key delivered to the buyer`
        : "no agreement; the escrow returns to the buyer";
    case "DealRefunded":
      return `refunded ${eth(e.args.amount)} after the deadline`;
    case "Withdrawn":
      return `${short(e.args.account)} withdrew ${eth(e.args.amount)}`;
    default:
      return "";
  }
}

export function DealPage({ conn, chain, dealId }: { conn: Connection; chain: ChainConfig; dealId: bigint }) {
  const [deal, setDeal] = useState<DealView | null>(null);
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const [oracle, setOracle] = useState<OracleDealView | string | null>(null);
  const [rounds, setRounds] = useState<RoundOffers[] | null>(null);
  const [chartPrice, setChartPrice] = useState<{ priceWei?: bigint; priceRule?: string; label?: string }>({});
  const [checks, setChecks] = useState<TermsChecks | null>(null);
  const [verdict, setVerdict] = useState<SettlementQuoteVerdict | "signature" | null>(null);
  const [delivered, setDelivered] = useState<{ blob: Blob; size: number } | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const [d, ev] = await Promise.all([
        readDeal(conn.provider, chain, dealId),
        dealTimeline(conn.provider, chain, dealId),
      ]);
      setDeal(d);
      setEvents(ev);
      setOracle(await fetchOracleDeal(chain.oracleUrl, dealId).catch((e: unknown) => plainError(e)));
    } catch (e) {
      setError(plainError(e));
    }
  }, [conn, chain, dealId]);
  useEffect(() => {
    void refresh();
    const t = setInterval(() => void refresh(), 2000);
    return () => clearInterval(t);
  }, [refresh]);

  const settled = events.find((e) => e.name === "DealSettled");
  // a listing deal has no DealCreated: its creation is ListingDealCreated, its root the listing's
  const created = events.find((e) => e.name === "DealCreated" || e.name === "ListingDealCreated");
  const s = settled?.args;
  const me = conn.address.toLowerCase();
  const isBuyer = deal?.buyer.toLowerCase() === me;
  const isParty = isBuyer || deal?.seller.toLowerCase() === me;

  const run = (label: string, f: () => Promise<void>) => async () => {
    setError(null);
    setBusy(label);
    try {
      await f();
    } catch (e) {
      setError(plainError(e));
    } finally {
      setBusy(null);
      void refresh();
    }
  };

  const transcript = run("transcript", async () => {
    const signer = await conn.provider.getSigner(conn.address);
    const auth = await signInToOracle(chain.oracleUrl, dealId, conn.address, (m) => signer.signMessage(m));
    const t = await fetchDealTranscript(chain.oracleUrl, dealId, auth, s!);
    setRounds(offersByRound(t.transcript));
    setChartPrice(chartLabels(t.terms, t.transcript));
    setChecks(termsChecks(t.terms, s!.termsHash));
  });

  const verify = run("verify", async () => {
    const { verifySettlement } = await import("./verify-quote.ts");
    setVerdict((await verifySettlement(conn.provider, chain, settled!.transactionHash)) ?? "signature");
  });

  const receive = (keyFile?: File) =>
    run("deliver", async () => {
      let key = recallDeliveryKey(dealId);
      if (keyFile !== undefined) {
        key = getBytes(readDeliveryKeyFile(await keyFile.text(), dealId));
      }
      if (key === undefined)
        throw badInput(
          "no delivery key is loaded",
          "load the delivery key file you downloaded when you created the deal",
        );
      const payload = await openDelivery(
        key,
        { chainId: BigInt(chain.chainId), contract: chain.dealProof, dealId },
        getBytes(s!.delivery),
      );
      const res = await fetch(payload.location);
      if (!res.ok || res.body === null)
        throw badInput(
          `fetching the dataset answered HTTP ${res.status}`,
          "ask the seller whether the dataset is still hosted",
        );
      const dataRoot =
        created!.name === "DealCreated"
          ? created!.args.dataRoot
          : (await dealProof(chain, conn.provider).getListing(created!.args.listingId)).dataRoot;
      const out = await decryptAndVerifyDataset(res.body, payload.key, dataRoot, {
        onProgress: (done, total) => setProgress({ done, total }),
      });
      setDelivered({ blob: out.plaintext, size: out.size });
    });

  const payout = deal === null ? 0n : isBuyer ? deal.buyerPayout : deal.sellerPayout;
  const refundable =
    deal !== null &&
    (deal.state === "Open" || deal.state === "Accepted") &&
    Date.now() / 1000 > Number(deal.deadline);
  const withdrawn = events.some((e) => e.name === "Withdrawn" && e.args.account.toLowerCase() === me);
  const escrow = created?.args.escrow;
  // what the number under "Funds" is, for this party and this outcome
  const payoutLabel = !isBuyer
    ? "Your payout (the agreed price)"
    : s?.agreed === true
      ? `Your change (escrow ${escrow === undefined ? "" : eth(escrow)} − price ${eth(s.price)})`
      : settled !== undefined || deal?.state === "Refunded"
        ? "Your refund (the whole escrow)"
        : "Yours to withdraw";
  return (
    <section aria-labelledby="deal-h">
      <h2 id="deal-h" title={formatDealId(dealId)}>
        Deal {shortDealId(dealId)}
      </h2>
      <p>
        Deal id <code data-testid="deal-id">{formatDealId(dealId)}</code>
      </p>
      {deal === null ? (
        <p>Loading…</p>
      ) : (
        <p data-testid="deal-state">
          State <strong>{deal.state}</strong>
          {deal.state === "Open" || deal.state === "Accepted" ? ` · escrow ${eth(deal.escrow)}` : ""} · you
          are {isBuyer ? "the buyer" : isParty ? "the seller" : "not a party"}
        </p>
      )}
      {typeof oracle === "string" ? (
        <p data-testid="oracle-status">Oracle: not answering ({oracle})</p>
      ) : oracle === null ? null : (
        <p data-testid="oracle-status">
          Oracle: {oracle.status}
          {oracle.outcome !== null && !oracle.outcome.agreed ? ` — ${oracle.outcome.reason}` : ""}
          {oracle.lastError !== null ? ` — ${oracle.lastError}` : ""}
        </p>
      )}
      <h3>Timeline</h3>
      <Timeline items={events.map((e) => ({ name: e.name, when: e.timestamp, detail: describe(e) }))} />

      {settled === undefined ? null : (
        <>
          <h3>Negotiation</h3>
          {isParty ? (
            <button onClick={() => void transcript()} disabled={busy !== null}>
              Sign in and show the transcript
            </button>
          ) : (
            <p>Only the buyer and the seller can read the transcript.</p>
          )}
          {rounds === null ? null : <OffersChart rounds={rounds} {...chartPrice} />}
          <h3>Checks on the data</h3>
          {checks === null ? (
            <p>The results are in the deal's terms: sign in above to read them.</p>
          ) : (
            <CheckResults checks={checks} />
          )}
          <h3>Settlement attestation</h3>
          <button onClick={() => void verify()} disabled={busy !== null}>
            Verify the settlement quote in this browser
          </button>
          {busy === "verify" ? <p role="status">Verifying…</p> : null}
          {verdict === "signature" ? (
            <p>This deal was settled by the oracle's signature, not a quote.</p>
          ) : null}
          {verdict !== null && verdict !== "signature" ? (
            <QuoteChecks checks={verdict.checks} ok={verdict.ok} />
          ) : null}
          {verdict !== null && verdict !== "signature" && !verdict.ok ? (
            <p data-testid="quote-next">
              Next: do not treat this settlement as attested. This page read it through your wallet's RPC,
              which can be wrong or tampered with: switch your wallet to another RPC for this chain and verify
              again. If it still fails, report deal <code>{formatDealId(dealId)}</code> to the oracle's
              operator. The contract checked the settlement when it was made; your payout below is what it
              recorded.
            </p>
          ) : null}
        </>
      )}

      {s?.agreed === true && isBuyer ? (
        <>
          <h3>Delivery</h3>
          <button onClick={() => void receive()()} disabled={busy !== null}>
            Receive and verify the dataset
          </button>
          <label>
            Delivery key file
            <input
              type="file"
              accept=".json,application/json"
              onChange={(e) => e.target.files?.[0] && void receive(e.target.files[0])()}
            />
          </label>
          {progress === null ? null : (
            <ProgressBar label="Decrypting and verifying" done={progress.done} total={progress.total} />
          )}
          {delivered === null ? null : (
            <p role="status" data-testid="delivered">
              ✓ {delivered.size} bytes decrypted; every chunk authenticated and the Merkle root equals the
              deal's dataRoot.{" "}
              <DownloadLink data={delivered.blob} name="dataset">
                Save the dataset
              </DownloadLink>
            </p>
          )}
        </>
      ) : null}

      {isParty ? (
        <>
          <h3>Funds</h3>
          {isBuyer && s?.agreed === true ? (
            <p data-testid="paid">You paid {eth(s.price)} to the seller for the dataset.</p>
          ) : null}
          <p data-testid="payout">
            {payoutLabel}: {eth(payout)}
            {payout === 0n && withdrawn ? " — withdrawn" : ""}
          </p>
          <button
            onClick={() =>
              void run("withdraw", () =>
                sendDealCall(conn.provider, chain, conn.address, "withdraw", dealId).then(() => undefined),
              )()
            }
            disabled={busy !== null || payout === 0n}
          >
            Withdraw
          </button>{" "}
          {isBuyer ? (
            <button
              onClick={() =>
                void run("refund", () =>
                  sendDealCall(conn.provider, chain, conn.address, "refund", dealId).then(() => undefined),
                )()
              }
              disabled={busy !== null || !refundable}
            >
              Refund (after the deadline)
            </button>
          ) : null}
        </>
      ) : null}
      <ErrorLine error={error} />
    </section>
  );
}
