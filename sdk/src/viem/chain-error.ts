/**
 * A failed viem call or transaction as a DealProofError, like the `dealproof` entry's chainError
 * but read from viem's own error classes (no ethers): DealProof's custom error by name with its
 * values and the same dapp-worded hint (../revert-hints.ts), a rejected wallet request, no funds,
 * an unreachable node. Classified by error class and revert data, never by message text.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  HttpRequestError,
  InsufficientFundsError,
  UserRejectedRequestError,
  hexToString,
  isHex,
} from "viem";
import { DealProofError, isDealProofError } from "../errors.ts";
import { REVERT_HINTS } from "../revert-hints.ts";

const text = (v: unknown): string =>
  typeof v === "bigint" && v > 0xffffffffffffn ? `0x${v.toString(16)}` : String(v);

/** `bytes` that hold printable UTF-8 (a verifier's reason) as text, anything else as given. */
function reasonText(v: unknown): string {
  if (typeof v !== "string" || !isHex(v) || v.length < 4) return "";
  try {
    const s = hexToString(v);
    return /^[\x20-\x7e\n\t]+$/.test(s) ? s : v;
  } catch {
    return v;
  }
}

/** Any error of a viem chain interaction as a DealProofError (`chain.*`, `wallet.rejected`). */
export function chainError(e: unknown): DealProofError {
  if (isDealProofError(e)) return e;
  if (!(e instanceof BaseError))
    return new DealProofError("chain.failed", String((e as Error)?.message ?? e), { cause: e });
  const reverted = e.walk((x) => x instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName !== undefined) {
    const { errorName, args = [] } = reverted.data;
    const hint = REVERT_HINTS[errorName]?.(reasonText(args[0]));
    return new DealProofError(
      "chain.reverted",
      `DealProof reverted: ${errorName}(${args.map(text).join(", ")})`,
      {
        cause: e,
        ...(hint === undefined ? {} : { hint }),
      },
    );
  }
  if (e.walk((x) => x instanceof UserRejectedRequestError) !== null)
    return new DealProofError("wallet.rejected", "the wallet's user rejected the request", {
      hint: "nothing was sent; ask again when the user is ready",
      cause: e,
    });
  if (e.walk((x) => x instanceof InsufficientFundsError) !== null)
    return new DealProofError(
      "chain.insufficient_funds",
      "the account does not hold enough ETH for the value and the gas",
      {
        hint: "fund it and try again",
        cause: e,
      },
    );
  if (e.walk((x) => x instanceof HttpRequestError) !== null)
    return new DealProofError(
      "chain.unreachable",
      `cannot reach the chain's JSON-RPC endpoint (${e.shortMessage})`,
      {
        hint: "is the node running and the transport's URL right?",
        cause: e,
      },
    );
  return new DealProofError("chain.failed", e.shortMessage, { cause: e });
}

/** Runs `f`, rethrowing any failure as chainError(failure). */
export async function onChain<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw chainError(e);
  }
}
