/**
 * Small presentational components, tested alone in the component tests (harness.tsx): a labelled
 * progress bar, the quote checks list, the offers chart (SVG), the deal timeline, an error line.
 * They hold no state of the protocol: props in, markup out.
 */
import { useEffect, useMemo } from "react";
import { formatEther } from "ethers";
import type { QuoteCheck } from "dealproof";

export function ProgressBar({ label, done, total }: { label: string; done: number; total: number }) {
  const pct = total === 0 ? 0 : Math.round((done / total) * 100);
  return (
    <div className="progress">
      <label>
        {label}: {pct}%
        <progress max={total} value={done} aria-label={label} />
      </label>
    </div>
  );
}

export function ErrorLine({ error }: { error: string | null }) {
  return error === null ? null : (
    <p role="alert" className="error">
      {error}
    </p>
  );
}

const CHECK_TITLES: Record<string, string> = {
  format: "TDX v4 quote",
  dcap: "DCAP chain (dcap-qvl)",
  tcbStatus: "TCB status",
  reportData: "report_data = settlement digest",
  measurement: "measurement allowed on-chain",
  tdAttributes: "TD attributes (no DEBUG)",
};

export function QuoteChecks({ checks, ok }: { checks: QuoteCheck[]; ok: boolean }) {
  return (
    <section aria-label="Quote verification" className={ok ? "verdict ok" : "verdict bad"}>
      <p className="verdict-line" data-testid="quote-verdict">
        {ok ? "✓ The settlement quote verifies in this browser" : "✗ The settlement quote does NOT verify"}
      </p>
      <ul>
        {checks.map((c) => (
          <li key={c.name} data-check={c.name} data-passed={c.passed ? "yes" : "no"}>
            <span aria-hidden="true">{c.passed ? "✓" : "✗"}</span>{" "}
            <strong>{CHECK_TITLES[c.name] ?? c.name}</strong>
            <span className="sr-only">{c.passed ? " passed" : " failed"}</span>: {c.detail}
          </li>
        ))}
      </ul>
    </section>
  );
}

export interface RoundOffers {
  round: number;
  buyer?: bigint;
  seller?: bigint;
}

/** Offers by round: buyer and seller prices as two lines (SVG), with a text table for screen readers. */
export function OffersChart({ rounds }: { rounds: RoundOffers[] }) {
  if (rounds.length === 0) return <p>No priced offers in the transcript.</p>;
  const prices = rounds.flatMap((r) => [r.buyer, r.seller].filter((p): p is bigint => p !== undefined));
  const max = prices.reduce((a, b) => (b > a ? b : a), 0n);
  const min = prices.reduce((a, b) => (b < a ? b : a), max);
  const W = 320;
  const H = 160;
  const x = (i: number) => 30 + (rounds.length === 1 ? 0 : (i * (W - 50)) / (rounds.length - 1));
  const y = (p: bigint) =>
    max === min ? H / 2 : 10 + Number(((max - p) * 1000n) / (max - min)) * ((H - 30) / 1000);
  const line = (side: "buyer" | "seller") =>
    rounds
      .map((r, i) => (r[side] === undefined ? null : `${x(i)},${y(r[side]!)}`))
      .filter((p) => p !== null)
      .join(" ");
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Offers by round: buyer and seller prices">
        <polyline points={line("buyer")} fill="none" stroke="#2563eb" strokeWidth="2" />
        <polyline points={line("seller")} fill="none" stroke="#dc2626" strokeWidth="2" />
        {rounds.map((r, i) => (
          <text key={r.round} x={x(i)} y={H - 5} fontSize="10" textAnchor="middle">
            {r.round}
          </text>
        ))}
      </svg>
      <figcaption>
        <span style={{ color: "#2563eb" }}>■ buyer</span> <span style={{ color: "#dc2626" }}>■ seller</span>{" "}
        (ETH by round)
      </figcaption>
      <table className="sr-only">
        <thead>
          <tr>
            <th>round</th>
            <th>buyer</th>
            <th>seller</th>
          </tr>
        </thead>
        <tbody>
          {rounds.map((r) => (
            <tr key={r.round}>
              <td>{r.round}</td>
              <td>{r.buyer === undefined ? "" : formatEther(r.buyer)}</td>
              <td>{r.seller === undefined ? "" : formatEther(r.seller)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export interface TimelineItem {
  name: string;
  when: number;
  detail: string;
}

export function Timeline({ items }: { items: TimelineItem[] }) {
  return (
    <ol className="timeline" aria-label="Deal timeline">
      {items.map((e, i) => (
        <li key={i} data-event={e.name}>
          <strong>{e.name}</strong>{" "}
          <time>{new Date(e.when * 1000).toISOString().replace("T", " ").slice(0, 19)}</time>
          <div>{e.detail}</div>
        </li>
      ))}
    </ol>
  );
}

/** Offers a Blob (or text) as a file download, without sending it anywhere. */
export function DownloadLink({
  data,
  name,
  children,
  onDownload,
}: {
  data: Blob | string;
  name: string;
  children: string;
  /** Called when the user starts the download (a click or Enter on the link). */
  onDownload?: () => void;
}) {
  const href = useMemo(
    () =>
      URL.createObjectURL(typeof data === "string" ? new Blob([data], { type: "application/json" }) : data),
    [data],
  );
  useEffect(() => () => URL.revokeObjectURL(href), [href]);
  return (
    <a className="button" href={href} download={name} onClick={onDownload}>
      {children}
    </a>
  );
}
