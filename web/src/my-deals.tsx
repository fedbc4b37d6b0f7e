/**
 * "My deals": each of the account's deals as a row — its id (short, full on hover, copy button),
 * buying or selling, its state in plain words, the price or escrow in ETH, what this wallet can do
 * next (withdraw, refund, cancel as buttons; the rest as words or a link), and the hash of each
 * step's transaction, linked to the chain's explorer where it has one.
 */
import { useCallback, useEffect, useState } from "react";
import { formatDealId } from "dealproof";
import type { Connection } from "./wallet.ts";
import type { ChainConfig } from "./config.ts";
import { myDeals, sendDealCall, type MyDeal } from "./deals.ts";
import {
  actionWords,
  nextActions,
  priceWords,
  stateWords,
  type DealFacts,
  type NextAction,
} from "./deal-words.ts";
import type { DealTx } from "./deal-history.ts";
import { txUrl } from "./explorers.ts";
import { plainError } from "./errors.ts";
import { CopyId, ErrorLine } from "./components.tsx";

const STEP_WORDS: Record<DealTx["step"], string> = {
  create: "created",
  accept: "accepted",
  settle: "settled",
  refund: "refunded",
  cancel: "cancelled",
  withdraw: "withdrawn",
};

/** The facts the words are made of, for this wallet. */
function factsFor(d: MyDeal, me: string, now: number): DealFacts {
  const role =
    d.deal.buyer.toLowerCase() === me ? "buyer" : d.deal.seller.toLowerCase() === me ? "seller" : "none";
  const h = d.history;
  return {
    role,
    state: d.deal.state,
    escrow: h.escrow,
    deadline: h.deadline,
    now,
    ...(h.settled === undefined ? {} : { settled: h.settled }),
    cancelled: h.cancelled,
    payout: role === "buyer" ? d.deal.buyerPayout : role === "seller" ? d.deal.sellerPayout : 0n,
    withdrawn: h.withdrawnBy.includes(me),
    cancelAllowed: d.cancelAllowed,
    fromListing: h.listingId !== undefined,
  };
}

function TxLink({ chainId, tx }: { chainId: number; tx: DealTx }) {
  const url = txUrl(chainId, tx.hash);
  const label = `${STEP_WORDS[tx.step]} ${tx.hash.slice(0, 8)}…${tx.hash.slice(-4)}`;
  return (
    <li data-tx={tx.step} data-hash={tx.hash}>
      {url === undefined ? (
        <code title={tx.hash}>{label}</code>
      ) : (
        <a href={url} target="_blank" rel="noreferrer" title={tx.hash}>
          {label} ↗
        </a>
      )}
    </li>
  );
}

export function MyDeals({ conn, chain }: { conn: Connection; chain: ChainConfig }) {
  const [list, setList] = useState<{ now: number; deals: MyDeal[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const load = useCallback(
    () => myDeals(conn.provider, chain, conn.address).then(setList, (e: unknown) => setError(plainError(e))),
    [conn, chain],
  );
  useEffect(() => void load(), [load]);
  const me = conn.address.toLowerCase();

  const act = (dealId: bigint, fn: "withdraw" | "refund" | "cancelDeal") => async () => {
    setError(null);
    setBusy(`${fn}:${dealId}`);
    try {
      await sendDealCall(conn.provider, chain, conn.address, fn, dealId);
    } catch (e) {
      setError(plainError(e));
    } finally {
      setBusy(null);
      await load();
    }
  };
  const button = (d: MyDeal, a: NextAction) => {
    const fn =
      a.kind === "withdraw"
        ? "withdraw"
        : a.kind === "refund"
          ? "refund"
          : a.kind === "cancel"
            ? "cancelDeal"
            : null;
    if (fn === null) {
      const link =
        a.kind === "accept" ? "#/sell" : a.kind === "receive" ? `#/deal/${formatDealId(d.dealId)}` : null;
      return link === null ? actionWords(a) : <a href={link}>{actionWords(a)}</a>;
    }
    return (
      <button onClick={() => void act(d.dealId, fn)()} disabled={busy !== null}>
        {actionWords(a)}
      </button>
    );
  };

  return (
    <section aria-labelledby="mine-h">
      <h2 id="mine-h">My deals</h2>
      {list === null ? null : list.deals.length === 0 ? (
        <p>
          No deals yet. <a href="#/buy">Buy</a> or <a href="#/sell">sell</a> a dataset.
        </p>
      ) : (
        <div className="table-scroll">
          <table className="deals">
            <thead>
              <tr>
                <th>Deal</th>
                <th>You are</th>
                <th>State</th>
                <th>Price</th>
                <th>Next</th>
                <th>Transactions</th>
              </tr>
            </thead>
            <tbody>
              {list.deals.map((d) => {
                const f = factsFor(d, me, list.now);
                const id = formatDealId(d.dealId);
                return (
                  <tr key={id} data-deal={id} data-state={d.deal.state}>
                    <td>
                      <a href={`#/deal/${id}`} title={id}>
                        deal
                      </a>{" "}
                      <CopyId id={id} testId="deal-id" />
                    </td>
                    <td>
                      {f.role === "buyer" ? "buying" : "selling"}
                      {f.fromListing ? " (listing)" : ""}
                    </td>
                    <td data-testid="deal-words">{stateWords(f)}</td>
                    <td data-testid="deal-price">{priceWords(f)}</td>
                    <td data-testid="deal-next">
                      {nextActions(f).map((a) => (
                        <div key={a.kind} data-action={a.kind}>
                          {button(d, a)}
                        </div>
                      ))}
                    </td>
                    <td>
                      <ul className="txs">
                        {d.history.txs.map((t) => (
                          <TxLink key={`${t.step}-${t.hash}`} chainId={chain.chainId} tx={t} />
                        ))}
                      </ul>
                    </td>
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
