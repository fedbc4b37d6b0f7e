/**
 * The one answer to "should this be retried?", and bounded retries with full-jitter exponential
 * backoff. `classifyFailure` sorts every failure into a kind (a transport fault, a dataset that
 * could not be fetched, a chain not ready for the deal, a refusal of the deal's inputs, or any
 * other fault) and `retryVerdict` says whether it is retried: a call (withRetry) is retried on a
 * transport fault only; a deal's attempt is retried unless its inputs were refused or its
 * dataset used up its attempts (the daemon then closes it as no deal; its deadline bounds the
 * rest). The decision reads error codes and classes only, walking the `cause` chain; it never
 * matches message text (a message can quote raw transaction hex or a URL).
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

/** The seller's dataset could not be fetched (a network fault on the seller's side). */
const DATASET_CODES = new Set<string>(["dataset.fetch_failed"]);

/** The chain is not ready for the deal yet: the deal waits and is tried again. */
const WAITING_CODES = new Set<string>([
  // the deal's state at the head differs from the one at the confirmation depth
  "deal.state_not_final",
  // the buyer may still cancel: a delivery is never sent into that race
  "deal.cancel_option_live",
  // the contract refuses for now (e.g. MeasurementNotAllowed until the owner allows it)
  "settlement.refused",
  // a listing deal whose listing version is not verified yet (DESIGN §11): it waits for the record
  "listing.not_verified_yet",
]);

/** Areas and codes whose failure is a refusal of the deal's inputs: a "no deal" outcome at once. */
const REFUSAL_AREAS = ["dataset.", "sealed_input."];
const REFUSAL_CODES = new Set<string>(["agent.unavailable"]);

/**
 * What a failure is:
 * - `transient`: the transport failed (RPC timeout, unreachable, a retryable HTTP status, ethers'
 *   network codes, DNS unreachable): retried, never turned into a refusal;
 * - `dataset`: the seller's dataset could not be fetched: retried, at most maxAttempts per deal;
 * - `waiting`: the chain is not ready for the deal yet (state not final, the buyer's cancel option
 *   live, the contract refusing for now): the deal waits;
 * - `refusal`: the deal's inputs are refused (a bad dataset, sealed input, an unavailable model
 *   API): no deal, never retried;
 * - `fault`: anything else (a bug, a JSON-RPC error reply, a revert): not retried as a call; a
 *   deal's attempt is retried after its backoff until its deadline margin.
 */
export type FailureKind = "transient" | "dataset" | "waiting" | "refusal" | "fault";

export interface Failure {
  kind: FailureKind;
  /** The code that decided it (the first known one in the cause chain; for a fault, its first code). */
  code: string | undefined;
}

function codeOf(e: unknown): unknown {
  return typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined;
}

function kindOfCode(code: string): FailureKind | undefined {
  if (TRANSIENT_CODES.has(code) || code === "dns.unavailable") return "transient";
  if (DATASET_CODES.has(code)) return "dataset";
  if (WAITING_CODES.has(code)) return "waiting";
  if (REFUSAL_CODES.has(code) || REFUSAL_AREAS.some((a) => code.startsWith(a))) return "refusal";
  return undefined;
}

/** What `e` (or an error it wraps) is: the first error in its cause chain with a known code. */
export function classifyFailure(e: unknown): Failure {
  let first: string | undefined;
  for (const cur of causeChain(e)) {
    if (cur instanceof RpcError && cur.code === "rpc.http_error")
      return {
        kind: cur.status !== undefined && TRANSIENT_STATUSES.has(cur.status) ? "transient" : "fault",
        code: cur.code,
      };
    const code = codeOf(cur);
    if (typeof code !== "string") continue;
    const kind = kindOfCode(code);
    if (kind !== undefined) return { kind, code };
    first ??= code;
  }
  return { kind: "fault", code: first };
}

/**
 * Whether to try again: a call (`{ scope: "call" }`, withRetry) on a transport fault only; a
 * start-up check (`{ scope: "startup" }`, preflight) on any failure, within its few bounded
 * attempts (a flaky RPC must not stop the oracle at start; a dead one is still reported within
 * seconds); a deal's attempt (`{ scope: "deal", attempt, maxAttempts }`, `attempt` counting the
 * one that failed) unless its inputs were refused or its dataset could not be fetched in
 * maxAttempts.
 */
export function retryVerdict(
  e: unknown,
  at: { scope: "call" } | { scope: "startup" } | { scope: "deal"; attempt: number; maxAttempts: number },
): Failure & { retry: boolean } {
  const f = classifyFailure(e);
  if (at.scope === "call") return { ...f, retry: f.kind === "transient" };
  if (at.scope === "startup") return { ...f, retry: true };
  if (f.kind === "refusal") return { ...f, retry: false };
  if (f.kind === "dataset") return { ...f, retry: at.attempt < at.maxAttempts };
  return { ...f, retry: true };
}

/** Whether `e` (or an error it wraps) is a transport failure that a retry may cure. */
export function isTransient(e: unknown): boolean {
  return retryVerdict(e, { scope: "call" }).retry;
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
