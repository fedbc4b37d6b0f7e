/**
 * Component-test harness (built only for the tests): renders one component from props given in
 * the page (window.__render(name, props)), so a test drives it in a real browser.
 */
import { createRoot } from "react-dom/client";
import { flushSync } from "react-dom";
import { CheckResults, ErrorLine, OffersChart, ProgressBar, QuoteChecks, Timeline } from "./components.tsx";
import "./style.css";

const components = { CheckResults, ErrorLine, OffersChart, ProgressBar, QuoteChecks, Timeline } as const;
const root = createRoot(document.getElementById("root")!);

(
  window as unknown as { __render: (name: keyof typeof components, props: Record<string, unknown>) => void }
).__render = (name, props) => {
  const C = components[name] as (p: Record<string, unknown>) => React.ReactNode;
  flushSync(() => root.render(<C {...props} />));
};

/** Benchmarks (npm run bench:web): the SDK's in-browser commit and quote verification, timed here. */
(window as unknown as Record<string, unknown>).__bench = {
  /** Commit time, and the longest the page's thread went without running a 10 ms timer meanwhile. */
  async commit(bytes: number, encrypt: boolean): Promise<{ ms: number; maxGapMs: number }> {
    // one part, like a File: random bytes (getRandomValues fills at most 64 KiB per call)
    const data = new Uint8Array(bytes);
    for (let o = 0; o < bytes; o += 65536)
      crypto.getRandomValues(data.subarray(o, Math.min(o + 65536, bytes)));
    const file = new Blob([data]);
    const { commitDataset, commitAndEncryptDataset } = await import("dealproof");
    let last = performance.now();
    let maxGapMs = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGapMs = Math.max(maxGapMs, now - last);
      last = now;
    }, 10);
    const t = performance.now();
    await (encrypt ? commitAndEncryptDataset(file) : commitDataset(file));
    const ms = performance.now() - t;
    clearInterval(timer);
    return { ms, maxGapMs };
  },
  async verifyQuote(input: {
    quote: string;
    outcome: Record<string, string | boolean>;
    chainId: number;
    dealProof: string;
    collateral: unknown;
    rootCa: string;
  }): Promise<{ loadMs: number; verifyMs: number; ok: boolean }> {
    const hex = (h: string) =>
      Uint8Array.from(h.replace(/^0x/, "").match(/../g) ?? [], (b) => parseInt(b, 16));
    let t = performance.now();
    const [{ verifySettlementQuote }, qvlModule] = await Promise.all([
      import("dealproof"),
      import("@phala/dcap-qvl"),
    ]);
    const qvl = ((qvlModule as unknown as { default?: unknown }).default ?? qvlModule) as Parameters<
      typeof verifySettlementQuote
    >[0];
    const loadMs = performance.now() - t;
    const o = input.outcome;
    t = performance.now();
    const v = await verifySettlementQuote(qvl, {
      quote: hex(input.quote),
      outcome: {
        dealId: BigInt(o.dealId as string),
        agreed: o.agreed as boolean,
        price: BigInt(o.price as string),
        termsHash: o.termsHash as `0x${string}`,
        dataRoot: o.dataRoot as `0x${string}`,
        transcriptHash: o.transcriptHash as `0x${string}`,
        delivery: o.delivery as `0x${string}`,
      },
      chainId: input.chainId,
      dealProof: input.dealProof,
      collateral: input.collateral,
      rootCaDer: hex(input.rootCa),
      isMeasurementAllowed: () => true,
    });
    return { loadMs, verifyMs: performance.now() - t, ok: v.ok };
  },
};
