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

/** Removes a private amount from free text in the forms an agent might write it. */
export function redactAmount(text: string, wei: bigint): string {
  const eth = formatEth(wei);
  const forms = new Set([wei.toString(), eth, formatEther(wei)]);
  if (eth.includes(".")) forms.add(eth.replace(/^0\./, "."));
  let out = text;
  for (const f of [...forms].sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(`(?<![0-9.])${f.replace(/\./g, "\\.")}(?![0-9])`, "g"), "[redacted]");
  }
  return out;
}
