/**
 * Bounded retries with full-jitter exponential backoff, and the one place that decides whether a
 * failure is transient. The decision reads error codes and classes only, walking the `cause`
 * chain; it never matches message text (a message can quote raw transaction hex or a URL).
 * Invariants: at most `attempts` calls; no wait longer than `maxMs`; an aborted signal stops
 * waiting at once and rethrows the last failure.
 */
import { causeChain } from "../../sdk/src/errors.ts";
import { RpcError } from "./errors.ts";

/** Codes that mean "try again later", never "the request is wrong". */
const TRANSIENT_CODES = new Set<string>([
  "rpc.timeout",
  "rpc.unreachable",
  "rpc.bad_response",
  // ethers' own transport codes (receipt polling and the like go through ethers)
  "NETWORK_ERROR",
  "SERVER_ERROR",
  "TIMEOUT",
]);

/** HTTP statuses of a transport answer worth retrying. */
const TRANSIENT_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

function codeOf(e: unknown): unknown {
  return typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined;
}

/** Whether `e` (or an error it wraps) is a transport failure that a retry may cure. */
export function isTransient(e: unknown): boolean {
  for (const cur of causeChain(e)) {
    if (cur instanceof RpcError && cur.code === "rpc.http_error")
      return cur.status !== undefined && TRANSIENT_STATUSES.has(cur.status);
    const code = codeOf(cur);
    if (typeof code === "string" && TRANSIENT_CODES.has(code)) return true;
  }
  return false;
}

export interface RetryOptions {
  /** Total calls, the first included (default 4). */
  attempts?: number;
  /** First backoff ceiling in ms (default 100); doubles per attempt. */
  baseMs?: number;
  /** Largest backoff in ms (default 2000). */
  maxMs?: number;
  /** Stops retrying (and waiting) when aborted. */
  signal?: AbortSignal;
  /** Which failures to retry (default isTransient). */
  retryIf?: (e: unknown) => boolean;
}

/** Full jitter: a uniformly random wait in [0, min(maxMs, baseMs·2^attempt)]. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.floor(Math.random() * Math.min(maxMs, baseMs * 2 ** attempt));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export async function withRetry<T>(f: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 4;
  const retryIf = opts.retryIf ?? isTransient;
  for (let i = 0; ; i++) {
    try {
      return await f();
    } catch (e) {
      if (i + 1 >= attempts || !retryIf(e) || opts.signal?.aborted) throw e;
      await sleep(backoffMs(i, opts.baseMs ?? 100, opts.maxMs ?? 2000), opts.signal);
      if (opts.signal?.aborted) throw e;
    }
  }
}
