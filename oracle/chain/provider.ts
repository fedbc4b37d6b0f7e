/**
 * The oracle's JSON-RPC transport: an ethers JsonRpcProvider whose requests go through fetch with
 * a per-request timeout, bounded retries with jittered backoff for transport failures only, and
 * one shutdown signal that aborts everything in flight. JSON-RPC error answers are not retried
 * here (ethers turns them into its errors); retrying any request is safe because the oracle
 * only ever sends already-signed raw transactions. Tracks the endpoint's health for /health.
 * Answers are never cached (ethers' default shares identical requests for 250 ms).
 * Invariants: no request waits longer than timeoutMs per attempt; at most `attempts` attempts;
 * after destroy() every request fails at once with rpc_aborted.
 */
import { JsonRpcProvider, type JsonRpcPayload, type JsonRpcResult } from "ethers";
import { RpcError, rpcHost } from "./errors.ts";
import { withRetry } from "./retry.ts";

export interface RpcOptions {
  /** Per-attempt timeout in ms (default 5000). */
  timeoutMs?: number;
  /** Attempts per request, the first included (default 4). */
  attempts?: number;
  /** How often ethers polls while waiting on a transaction (default 250). */
  pollingIntervalMs?: number;
}

export interface RpcHealth {
  ok: boolean;
  /** ms since epoch of the last answered request. */
  lastOkAt: number | null;
  /** Code of the last transport failure, if the endpoint is failing now. */
  lastError: string | null;
  /** ms since epoch since when it is failing. */
  failingSince: number | null;
}

export class RetryingJsonRpcProvider extends JsonRpcProvider {
  readonly #url: string;
  readonly #host: string;
  readonly #timeoutMs: number;
  readonly #attempts: number;
  readonly #shutdown = new AbortController();
  #health: RpcHealth = { ok: true, lastOkAt: null, lastError: null, failingSince: null };

  constructor(url: string, opts: RpcOptions = {}) {
    super(url, undefined, {
      staticNetwork: true,
      polling: true,
      pollingInterval: opts.pollingIntervalMs ?? 250,
      batchMaxCount: 1,
      // no 250 ms answer cache: a stale "no receipt" beside a fresh nonce would look like a
      // dropped transaction, and the outbox must read the chain as it is
      cacheTimeout: -1,
    });
    this.#url = url;
    this.#host = rpcHost(url);
    this.#timeoutMs = opts.timeoutMs ?? 5000;
    this.#attempts = opts.attempts ?? 4;
  }

  get health(): RpcHealth {
    return { ...this.#health };
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    try {
      const r = await withRetry(() => this.#post(payload), {
        attempts: this.#attempts,
        baseMs: 100,
        maxMs: 2000,
        signal: this.#shutdown.signal,
      });
      this.#health = { ok: true, lastOkAt: Date.now(), lastError: null, failingSince: null };
      return r;
    } catch (e) {
      if (e instanceof RpcError && e.code !== "rpc.aborted") {
        this.#health = {
          ok: false,
          lastOkAt: this.#health.lastOkAt,
          lastError: e.code,
          failingSince: this.#health.failingSince ?? Date.now(),
        };
      }
      throw e;
    }
  }

  async #post(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    if (this.#shutdown.signal.aborted)
      throw new RpcError("rpc.aborted", `the RPC client for ${this.#host} is shut down`);
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = AbortSignal.any([timeout, this.#shutdown.signal]);
    const what = Array.isArray(payload) ? "batch" : payload.method;
    const fail = (e: unknown): RpcError => {
      if (this.#shutdown.signal.aborted)
        return new RpcError("rpc.aborted", `${what} to ${this.#host} aborted: shutting down`);
      if (timeout.aborted)
        return new RpcError("rpc.timeout", `${what} to ${this.#host}: no answer in ${this.#timeoutMs} ms`);
      return new RpcError("rpc.unreachable", `${what} to ${this.#host} failed: the connection broke`, {
        cause: e,
      });
    };
    let res: Response;
    try {
      res = await fetch(this.#url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
        signal,
      });
    } catch (e) {
      throw fail(e);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      throw fail(e);
    }
    if (!res.ok)
      throw new RpcError("rpc.http_error", `${what} to ${this.#host} answered HTTP ${res.status}`, {
        status: res.status,
      });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new RpcError("rpc.bad_response", `${what} to ${this.#host} answered something that is not JSON`);
    }
    const list = Array.isArray(body) ? body : [body];
    if (!list.every((r) => typeof r === "object" && r !== null && "id" in r))
      throw new RpcError("rpc.bad_response", `${what} to ${this.#host} answered JSON that is not JSON-RPC`);
    return list as JsonRpcResult[];
  }

  override destroy(): void {
    this.#shutdown.abort();
    super.destroy();
  }
}
