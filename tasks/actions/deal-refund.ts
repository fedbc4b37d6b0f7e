import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { formatEther, type ContractTransactionReceipt } from "ethers";
import { dealContext, dealIdArg, dealIdHex, wrap } from "./context.ts";
import { userError } from "./user-error.ts";
import { dealStateName } from "../../sdk/src/deal-state.ts";

export default async function dealRefund(
  a: { dealId: string; account: string; json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  const id = dealIdArg(a.dealId);
  const { connection, dp } = await dealContext(hre, a.account);
  const d = await wrap(() => dp.getDeal(id));
  const state = dealStateName(d.state);
  if (d.state === 0n) throw userError(`deal ${dealIdHex(id)} does not exist on this DealProof`);
  if (state !== "Open" && state !== "Accepted")
    throw userError(`deal ${dealIdHex(id)} is already ${state}: there is nothing to refund`);
  const now = BigInt((await wrap(() => connection.ethers.provider.getBlock("latest")))!.timestamp);
  if (now <= d.deadline)
    throw userError(
      `deal ${dealIdHex(id)} can be refunded after its deadline, ${new Date(Number(d.deadline) * 1000).toISOString()}; the oracle may still settle it`,
    );
  const receipt = await wrap(async () => (await (await dp.refund(id)).wait()) as ContractTransactionReceipt);
  const out = {
    dealId: id.toString(),
    dealIdHex: dealIdHex(id),
    buyerPayout: formatEther(d.escrow),
    txHash: receipt.hash,
  };
  console.log(
    a.json
      ? JSON.stringify(out)
      : `deal ${dealIdHex(id)} refunded: ${out.buyerPayout} ETH is the buyer's to withdraw (deal:withdraw) — tx ${out.txHash}`,
  );
}
