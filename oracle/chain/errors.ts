/**
 * Errors of the RPC transport, each with a stable `code`. Callers branch on `code` (see
 * isTransient in retry.ts), never on message text. Messages name the endpoint by host only: an
 * RPC URL may carry an API key in its path or credentials.
 */
import { DealProofError, type DealProofErrorOptions } from "../../sdk/src/errors.ts";

export type RpcErrorCode =
  /** No answer within the per-request timeout. */
  | "rpc.timeout"
  /** Connection refused, reset, or closed before an answer (DNS failure included). */
  | "rpc.unreachable"
  /** The endpoint answered an HTTP error status (`status` says which). */
  | "rpc.http_error"
  /** The endpoint answered something that is not JSON-RPC. */
  | "rpc.bad_response"
  /** The endpoint answered a JSON-RPC error object (start-up checks; ethers handles the daemon's own). */
  | "rpc.error_reply"
  /** The provider was shut down while the request was in flight. */
  | "rpc.aborted";

export class RpcError extends DealProofError<RpcErrorCode> {
  override name = "RpcError";
  readonly status: number | undefined;
  constructor(code: RpcErrorCode, message: string, opts: DealProofErrorOptions & { status?: number } = {}) {
    super(code, message, {
      hint:
        opts.hint ??
        "check that the RPC endpoint (DEALPROOF_RPC_URL or the network's URL) is up and reachable",
      ...(opts.cause === undefined ? {} : { cause: opts.cause }),
    });
    this.status = opts.status;
  }
}

/** The host of an RPC URL, safe to log (no credentials, path or query). */
export function rpcHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(unparsable RPC URL)";
  }
}
