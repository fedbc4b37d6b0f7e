/**
 * Decoding DealProof's event logs and custom errors from raw data, for any client (ethers,
 * viem, a block explorer's JSON): `{ topics, data }` in, the event's name and named arguments out.
 * viem users can equally pass DEAL_PROOF_ABI to viem's parseEventLogs/decodeEventLog.
 */
import { Interface } from "ethers";
import { DEAL_PROOF_ABI } from "./abi.ts";

const iface = new Interface(DEAL_PROOF_ABI);

export interface DecodedEvent {
  name: string;
  /** Arguments by name (uint as bigint, bytes as 0x-hex, addresses checksummed). */
  args: Record<string, unknown>;
}

/** Decodes one log of DealProof; null when the log is not one of its events. */
export function decodeDealProofEvent(log: { topics: readonly string[]; data: string }): DecodedEvent | null {
  let parsed;
  try {
    parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
  } catch {
    return null;
  }
  if (parsed === null) return null;
  const p = parsed;
  return {
    name: p.name,
    args: Object.fromEntries(p.fragment.inputs.map((input, i) => [input.name, p.args[i] as unknown])),
  };
}
