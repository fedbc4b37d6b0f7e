/** Exact conversions between wei and the decimal ETH strings agents read and write. */
import { formatEther } from "ethers";
import { parseEthAmount } from "../../sdk/src/eth-amount.ts";

/**
 * Parses an agent's price ("0.73") into wei; undefined unless it is a plain non-negative decimal
 * with ≤ 18 places and at most 10 whole digits (surrounding space allowed).
 */
export function parseEthExact(s: string): bigint | undefined {
  const t = s.trim();
  return /^[0-9]{1,10}(\.|$)/.test(t) ? parseEthAmount(t) : undefined;
}

export function formatEth(wei: bigint): string {
  const s = formatEther(wei);
  return s.endsWith(".0") ? s.slice(0, -2) : s;
}
