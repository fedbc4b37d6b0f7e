/** One plain sentence for any error the dapp shows: wallet rejections, DealProof reverts by name, the rest. */
import { describeChainError } from "dealproof";
import { walletErrorText } from "./wallet.ts";

export function plainError(e: unknown): string {
  return walletErrorText(e) ?? describeChainError(e);
}
