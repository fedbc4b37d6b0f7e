import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { formatEther, isAddress, type ContractTransactionReceipt } from "ethers";
import { dealContext, dealIdArg, dealIdHex, wrap } from "./context.ts";
import { userError } from "./user-error.ts";
import { dealStateName } from "../../sdk/src/deal-state.ts";

export default async function dealWithdraw(
  a: { dealId: string; to: string; account: string; json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  const id = dealIdArg(a.dealId);
  if (a.to !== "" && !isAddress(a.to)) throw userError("--to must be an address");
  const { dp, signer } = await dealContext(hre, a.account);
  const me = await signer.getAddress();
  const d = await wrap(() => dp.getDeal(id));
  const state = dealStateName(d.state);
  if (d.state === 0n) throw userError(`deal ${dealIdHex(id)} does not exist on this DealProof`);
  if (state !== "Settled" && state !== "Refunded")
    throw userError(`deal ${dealIdHex(id)} is ${state}: payouts exist once it is settled or refunded`);
  const role = me === d.buyer ? "buyer" : me === d.seller ? "seller" : null;
  if (role === null)
    throw userError(`account ${me} is neither the buyer nor the seller of deal ${dealIdHex(id)}`);
  const amount = role === "buyer" ? d.buyerPayout : d.sellerPayout;
  if (amount === 0n)
    throw userError(`nothing to withdraw: the ${role}'s payout of deal ${dealIdHex(id)} is 0`);
  const to = a.to === "" ? me : a.to;
  const receipt = await wrap(async () => {
    const tx = a.to === "" ? await dp.withdraw(id) : await dp.withdrawTo(id, a.to);
    return (await tx.wait()) as ContractTransactionReceipt;
  });
  const out = {
    dealId: id.toString(),
    dealIdHex: dealIdHex(id),
    role,
    to,
    amount: formatEther(amount),
    txHash: receipt.hash,
  };
  console.log(
    a.json
      ? JSON.stringify(out)
      : `withdrew ${out.amount} ETH (${role}) from deal ${dealIdHex(id)} to ${to} (tx ${out.txHash})`,
  );
}
