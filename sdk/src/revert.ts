/**
 * Turns a failed call or transaction into one line a user can act on: the contract's custom
 * error by name with its values (DealProof's and the simulated verifier's ABIs), the bytes of
 * `VerifierRejected` decoded to text, and a hint saying what to do. Transport failures (RPC
 * unreachable, no funds) get their own plain message. Classified by revert data and error codes,
 * never by message text. Never includes a private value: revert data only carries what the
 * contract put on-chain.
 */
import { Interface, formatEther, isHexString, toUtf8String, type ErrorDescription } from "ethers";
import { DEAL_PROOF_ABI, SIMULATED_DCAP_VERIFIER_ERRORS } from "./abi.ts";
import { DEAL_STATE } from "./deal-state.ts";
import { TCB_STATUS } from "./tcb-status.ts";
import { DealProofError, isDealProofError } from "./errors.ts";
import { REVERT_HINTS } from "./revert-hints.ts";

const iface = new Interface([...DEAL_PROOF_ABI, ...SIMULATED_DCAP_VERIFIER_ERRORS]);

/** `bytes` that hold UTF-8 text (a verifier's reason) as text, anything else as hex. */
export function bytesAsText(hex: string): string {
  try {
    const s = toUtf8String(hex);
    if (/^[\x20-\x7e\n\t]*$/.test(s) && s.length > 0) return s;
  } catch {
    /* not UTF-8: show the hex */
  }
  return hex;
}

function argText(name: string, type: string, v: unknown): string {
  if (type === "bytes" && typeof v === "string") return JSON.stringify(bytesAsText(v));
  if (name === "state" && typeof v === "bigint") return DEAL_STATE[Number(v)] ?? String(v);
  if (name === "status" && typeof v === "bigint") return TCB_STATUS[Number(v)] ?? String(v);
  if ((name === "deadline" || name === "expiresAt") && typeof v === "bigint")
    return new Date(Number(v) * 1000).toISOString();
  if (
    (name === "amount" || name === "price" || name === "escrow" || name === "postedPrice") &&
    typeof v === "bigint"
  )
    return `${formatEther(v)} ETH`;
  if (typeof v === "bigint" && (name === "dealId" || name === "listingId")) return `0x${v.toString(16)}`;
  return String(v);
}

/** Finds the revert data (0x-hex) inside an ethers / Hardhat error, if there is any. */
function revertData(e: unknown, depth = 0): string | undefined {
  if (e === null || typeof e !== "object" || depth > 6) return undefined;
  const o = e as Record<string, unknown>;
  for (const k of ["data", "revertData"]) {
    const v = o[k];
    if (typeof v === "string" && isHexString(v) && v.length >= 10) return v;
  }
  for (const k of ["error", "info", "cause", "payload"]) {
    const found = revertData(o[k], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

export interface DecodedRevert {
  name: string;
  args: Record<string, string>;
  /** `Name(arg=value, …)` */
  text: string;
  hint?: string;
}

/** Decodes a custom error of DealProof or the simulated verifier from revert data. */
export function decodeRevert(data: string): DecodedRevert | null {
  let d: ErrorDescription | null;
  try {
    d = iface.parseError(data);
  } catch {
    return null;
  }
  if (d === null) return null;
  const desc = d;
  const args = Object.fromEntries(
    desc.fragment.inputs.map((p, i) => [p.name, argText(p.name, p.type, desc.args[i])]),
  );
  const text = `${desc.name}(${Object.entries(args)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ")})`;
  const first: unknown = desc.args.length > 0 ? desc.args[0] : undefined;
  const hint = REVERT_HINTS[desc.name]?.(typeof first === "string" ? bytesAsText(first) : "");
  return { name: desc.name, args, text, ...(hint === undefined ? {} : { hint }) };
}

/** Every string `code` in `e` and the errors it wraps (ethers' `error`/`info`, `cause`). */
function codesIn(e: unknown, into = new Set<string>(), depth = 0): Set<string> {
  if (e === null || typeof e !== "object" || depth > 6) return into;
  const o = e as Record<string, unknown>;
  if (typeof o.code === "string") into.add(o.code);
  for (const k of ["error", "info", "cause", "payload"]) codesIn(o[k], into, depth + 1);
  return into;
}

/** Codes of a transport that did not reach the node: Node's errno codes and our RPC client's. */
const UNREACHABLE_CODES = [
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "ECONNRESET",
  "rpc.unreachable",
  "rpc.timeout",
];

export type ChainErrorCode =
  "chain.reverted" | "chain.insufficient_funds" | "chain.unreachable" | "chain.failed";

/**
 * Any error of a chain interaction as a DealProofError: a decoded revert (its hint from the
 * custom error), no funds, an unreachable node, a DealProofError as it is, or the library's own
 * short message (code `chain.failed`). Classified
 * by revert data and error codes only, never by message text.
 */
export function chainError(e: unknown): DealProofError {
  const data = revertData(e);
  if (data !== undefined) {
    const d = decodeRevert(data);
    if (d !== null)
      return new DealProofError("chain.reverted", `DealProof reverted: ${d.text}`, {
        cause: e,
        ...(d.hint === undefined ? {} : { hint: d.hint }),
      });
  }
  // already explained (a deployment file, an RPC of ours): keep its code and hint
  if (isDealProofError(e)) return e;
  const o = (e ?? {}) as { shortMessage?: string; message?: string };
  const msg = String(o.shortMessage ?? o.message ?? e);
  const codes = codesIn(e);
  if (codes.has("INSUFFICIENT_FUNDS"))
    return new DealProofError(
      "chain.insufficient_funds",
      "the account does not hold enough ETH for the value and the gas",
      {
        hint: "fund it and try again",
        cause: e,
      },
    );
  if (UNREACHABLE_CODES.some((c) => codes.has(c)))
    return new DealProofError("chain.unreachable", `cannot reach the chain's JSON-RPC endpoint (${msg})`, {
      hint: "is the node running and the network's URL right?",
      cause: e,
    });
  return new DealProofError("chain.failed", msg, { cause: e });
}

/** One plain message for any error of a chain interaction: decoded revert, transport or other. */
export function describeChainError(e: unknown): string {
  const err = chainError(e);
  return err.hint === undefined ? err.message : `${err.message} — ${err.hint}`;
}
