/**
 * ETH amounts as people and agents type them ("1.5", "0.73"), parsed to wei exactly — one rule for
 * the tasks, the dapp and the negotiation engine: plain non-negative decimal digits, at most 18
 * decimal places, no sign, exponent, separators or surrounding space. Anything else is undefined,
 * so the caller says what is wrong in its own words.
 */
import { parseEther } from "ethers";

const DECIMAL_ETH = /^(0|[1-9][0-9]*)(\.[0-9]{1,18})?$/;

/** Wei for a decimal ETH string such as "1.5"; undefined when it is not one. */
export function parseEthAmount(s: string): bigint | undefined {
  return DECIMAL_ETH.test(s) ? parseEther(s) : undefined;
}
