/** Exact conversions between wei and the decimal ETH strings agents read and write. */
import { formatEther, parseEther } from "ethers";

const DECIMAL_ETH = /^(0|[1-9][0-9]{0,9})(\.[0-9]{1,18})?$/;

/** Parses "0.73" into wei; undefined when the string is not a plain non-negative decimal with ≤ 18 places. */
export function parseEthExact(s: string): bigint | undefined {
  const t = s.trim();
  if (!DECIMAL_ETH.test(t)) return undefined;
  return parseEther(t);
}

export function formatEth(wei: bigint): string {
  const s = formatEther(wei);
  return s.endsWith(".0") ? s.slice(0, -2) : s;
}
