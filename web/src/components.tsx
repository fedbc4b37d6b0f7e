/**
 * Small presentational components, tested alone in the component tests (harness.tsx): a labelled
 * progress bar, the quote checks list, the data checks' results from the terms, the offers chart
 * (SVG), the deal timeline, an error line, a shortened hex id with a copy button.
 * They hold no state of the protocol: props in, markup out.
 */
import { useEffect, useMemo, useState } from "react";
import { formatEther } from "ethers";
import type { QuoteCheck } from "dealproof";
import type { ResultRow, TermsChecks } from "./terms-checks.ts";

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

const KIND_TITLES: Record<string, string> = {
  rowCount: "row count",
  column: "column and type",
  nullFraction: "null fraction",
  unique: "unique",
  valuesIn: "values in set",
  stat: "statistic",
  distinctCount: "distinct count",
  pattern: "pattern share",
  freshness: "newest",
  classBalance: "class balance",
  overlap: "overlap with your keys",
};

/**
 * The data checks the settled terms bind: the terms hash recomputed in this browser against the
 * one settled on-chain, the specification hash, the datasheet verdict, one row per check (id,
 * kind, required or informative, pass/fail, the value when the seller's policy released one) and,
 * for a no-deal, the check that ended it and where the escrow is.
 */
export function CheckResults({ checks }: { checks: TermsChecks }) {
  const r = checks.report;
  const released = r?.policy.results !== "passfail";
  const row = (c: ResultRow, claim: boolean) => (
    <tr key={`${claim ? "claim" : "check"}-${c.id}`} data-result={c.id} data-status={c.status}>
      <td>
        <code>{c.id}</code>
      </td>
      <td className="kind">{KIND_TITLES[c.kind] ?? c.kind}</td>
      <td>{claim ? "seller's claim" : c.required ? "required" : "informative"}</td>
      <td className={`status-${c.status}`}>
        {c.status === "pass" ? "✓ pass" : c.status === "fail" ? "✗ fail" : "✗ refused"}
        {c.reason === undefined ? "" : ` (${c.reason})`}
      </td>
      <td>{c.value !== undefined ? String(c.value) : released ? "—" : "not released"}</td>
    </tr>
  );
  return (
    <section aria-label="Checks on the data" className="check-results">
      <p data-testid="terms-hash" className={checks.matches ? "ok" : "error"}>
        {checks.matches ? "✓" : "✗"} Terms hash recomputed in this browser: <code>{checks.termsHash}</code>{" "}
        {checks.matches
          ? "— equals the termsHash settled on-chain (the quote's report_data binds it)"
          : "— does NOT equal the termsHash settled on-chain: do not trust these results"}
      </p>
      {checks.failedBy === null ? null : (
        <p data-testid="no-deal-cause" className="error">
          No deal: the {checks.failedBy.what === "check" ? "required check" : "seller's datasheet claim"}{" "}
          <code>{checks.failedBy.id}</code> failed, so the deal ended without a sale. The whole escrow is the
          buyer's again: withdraw it under Funds.
        </p>
      )}
      {r === null ? (
        <p>This deal ran no checks on the data.</p>
      ) : (
        <>
          <p>
            Check specification hash: <code>{r.specHash ?? "none (no checks)"}</code>. Results as the seller's
            policy renders them:{" "}
            {released ? `values rounded to ${r.policy.precision} significant digits` : "pass/fail only"}.
          </p>
          <p data-testid="datasheet-verdict">
            Seller's datasheet:{" "}
            {r.datasheet === null
              ? "none given"
              : r.datasheet.verified
                ? "✓ every claim verified"
                : "✗ a claim is false"}
          </p>
          <div className="table-scroll">
            <table className="results">
              <thead>
                <tr>
                  <th>Check</th>
                  <th className="kind">Kind</th>
                  <th>Counts as</th>
                  <th>Result</th>
                  <th>Value</th>
                </tr>
              </thead>
              <tbody>
                {(r.datasheet?.results ?? []).map((c) => row(c, true))}
                {r.results.map((c) => row(c, false))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

export interface RoundOffers {
  round: number;
  buyer?: bigint;
  seller?: bigint;
}

/** The chart's agreed price and sentences, read from the attested terms and transcript. */
export function chartLabels(
  terms: unknown,
  transcript: unknown,
): { priceWei?: bigint; priceRule?: string; label?: string } {
  const t = (terms ?? {}) as { agreed?: unknown; priceWei?: unknown };
  const doc = (transcript ?? {}) as { priceRule?: unknown; transcriptIs?: unknown };
  return {
    ...(t.agreed === true && typeof t.priceWei === "string" && /^[0-9]+$/.test(t.priceWei)
      ? { priceWei: BigInt(t.priceWei) }
      : {}),
    ...(typeof doc.priceRule === "string" ? { priceRule: doc.priceRule } : {}),
    ...(typeof doc.transcriptIs === "string" ? { label: doc.transcriptIs } : {}),
  };
}

/** ETH for an axis label: at most 4 decimals. */
const ethLabel = (wei: bigint) => {
  const s = formatEther(wei);
  const [i, f = ""] = s.split(".");
  const t = f.slice(0, 4).replace(/0+$/, "");
  return t === "" ? i! : `${i}.${t}`;
};

/**
 * The rendered offers by round on a price axis (SVG): seller asks and buyer bids as two lines
 * with points, the agreed price as a dashed line, and the sentence saying what the offers are and
 * how the price was set; a text table for screen readers. Sized for a phone (fills its width).
 */
export function OffersChart({
  rounds,
  priceWei,
  priceRule,
  label,
}: {
  rounds: RoundOffers[];
  /** The agreed price, when there is a deal. */
  priceWei?: bigint;
  /** One sentence: how the price was set (the transcript's priceRule). */
  priceRule?: string;
  /** What the transcript is (the transcript's transcriptIs). */
  label?: string;
}) {
  if (rounds.length === 0) return <p>No priced offers in the transcript.</p>;
  const prices = [
    ...rounds.flatMap((r) => [r.buyer, r.seller].filter((p): p is bigint => p !== undefined)),
    ...(priceWei === undefined ? [] : [priceWei]),
  ];
  const hiP = prices.reduce((a, b) => (b > a ? b : a), 0n);
  const loP = prices.reduce((a, b) => (b < a ? b : a), hiP);
  const pad = hiP === loP ? hiP / 10n + 1n : (hiP - loP) / 12n;
  const max = hiP + pad;
  const min = loP > pad ? loP - pad : 0n;
  const W = 360;
  const H = 230;
  const L = 58; // room for the price axis labels
  const R = 12;
  const T = 12;
  const B = 34;
  const x = (i: number) =>
    L + (rounds.length === 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (rounds.length - 1));
  const y = (p: bigint) => T + Number(((max - p) * 10000n) / (max - min)) * ((H - T - B) / 10000);
  // round ticks: a step of 1, 2, 2.5 or 5 × 10^k wei, four or five of them
  const rough = (max - min) / 5n > 0n ? (max - min) / 5n : 1n;
  const mag = 10n ** BigInt(rough.toString().length - 1);
  const step = [10n, 20n, 25n, 50n, 100n].map((m) => (m * mag) / 10n).find((s) => s >= rough) ?? 10n * mag;
  const ticks: bigint[] = [];
  for (let t = ((min + step - 1n) / step) * step; t <= max; t += step) ticks.push(t);
  const points = (side: "buyer" | "seller") =>
    rounds.flatMap((r, i) => (r[side] === undefined ? [] : [[x(i), y(r[side]!)] as const]));
  const COLOR = { buyer: "#1d4ed8", seller: "#b91c1c" } as const;
  return (
    <figure className="chart" style={{ margin: 0, maxWidth: "100%" }}>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        role="img"
        aria-label={`Offers by round on a price axis in ETH: seller asks and buyer bids${priceWei === undefined ? "" : `, agreed at ${ethLabel(priceWei)} ETH`}`}
      >
        {ticks.map((t) => (
          <g key={t.toString()}>
            <line x1={L} x2={W - R} y1={y(t)} y2={y(t)} stroke="#e5e7eb" strokeWidth="1" />
            <text x={L - 6} y={y(t) + 4} fontSize="12" textAnchor="end" fill="#374151">
              {ethLabel(t)}
            </text>
          </g>
        ))}
        <text x={4} y={H - 4} fontSize="11" fill="#374151">
          ETH
        </text>
        {priceWei === undefined ? null : (
          <g>
            <line
              x1={L}
              x2={W - R}
              y1={y(priceWei)}
              y2={y(priceWei)}
              stroke="#15803d"
              strokeWidth="2"
              strokeDasharray="6 4"
            />
            <text
              x={L + 4}
              y={y(priceWei) - 6}
              fontSize="12"
              textAnchor="start"
              fill="#15803d"
              fontWeight="bold"
            >
              agreed {ethLabel(priceWei)}
            </text>
          </g>
        )}
        {(["seller", "buyer"] as const).map((side) => (
          <g key={side}>
            <polyline
              points={points(side)
                .map(([a, b]) => `${a},${b}`)
                .join(" ")}
              fill="none"
              stroke={COLOR[side]}
              strokeWidth="2.5"
            />
            {points(side).map(([a, b], i) => (
              <circle key={i} cx={a} cy={b} r="3.5" fill={COLOR[side]} />
            ))}
          </g>
        ))}
        {rounds.map((r, i) => (
          <text key={r.round} x={x(i)} y={H - B + 16} fontSize="12" textAnchor="middle" fill="#374151">
            {r.round}
          </text>
        ))}
        <text x={(L + W - R) / 2} y={H - 4} fontSize="11" textAnchor="middle" fill="#374151">
          round
        </text>
      </svg>
      <figcaption>
        <span style={{ color: COLOR.seller }}>● seller asks</span>{" "}
        <span style={{ color: COLOR.buyer }}>● buyer bids</span>
        {priceWei === undefined ? null : <span style={{ color: "#15803d" }}> ‒ ‒ agreed price</span>}
        {label === undefined && priceRule === undefined ? null : (
          <p data-testid="price-rule">
            {label === undefined ? null : <>These are {label}. </>}
            {priceRule}
          </p>
        )}
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

/** A long hex id (deal, listing, root) shortened to 0x1234…abcd, the whole of it on hover and copied by the button. */
export function CopyId({ id, testId }: { id: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span className="copy-id">
      <code title={id} data-full={id} data-testid={testId}>
        {id.length > 12 ? `${id.slice(0, 6)}…${id.slice(-4)}` : id}
      </code>{" "}
      <button
        type="button"
        className="small"
        aria-label={`${copied ? "Copied" : "Copy"} ${id}`}
        onClick={() =>
          void navigator.clipboard.writeText(id).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </span>
  );
}
