/**
 * Errors of the RPC transport, each with a stable `code`. Callers branch on `code` (see
 * isTransient in retry.ts), never on message text. Messages name the endpoint by host only: an
 * RPC URL may carry an API key in its path or credentials.
 */
export type RpcErrorCode =
  /** No answer within the per-request timeout. */
  | "rpc_timeout"
  /** Connection refused, reset, or closed before an answer (DNS failure included). */
  | "rpc_unreachable"
  /** The endpoint answered an HTTP error status (`status` says which). */
  | "rpc_http_error"
  /** The endpoint answered something that is not JSON-RPC. */
  | "rpc_bad_response"
  /** The provider was shut down while the request was in flight. */
  | "rpc_aborted";

export class RpcError extends Error {
  override name = "RpcError";
  readonly code: RpcErrorCode;
  readonly status: number | undefined;
  constructor(code: RpcErrorCode, message: string, opts: { status?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
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
