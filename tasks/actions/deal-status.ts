import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { formatEther } from "ethers";
import { dealContext, dealIdArg } from "./context.ts";
import { userError } from "./user-error.ts";
import { dealStateName } from "../../oracle/protocol/deal-state.ts";
import { readDealCreated } from "../../oracle/client/deal-created.ts";

export default async function dealStatus(
  a: { dealId: string; json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  const id = dealIdArg(a.dealId);
  const { dp, deployment } = await dealContext(hre);
  const d = (await dp.getFunction("getDeal")(id)) as {
    state: bigint;
    buyerPayout: bigint;
    sellerPayout: bigint;
  };
  // escrow, deadline and data root as created (getDeal keeps them only while the deal is live)
  const created = d.state === 0n ? null : await readDealCreated(dp, id, deployment.deployBlock);
  if (created === null) throw userError(`deal ${id} does not exist on this DealProof`);
  const settled = await dp.queryFilter(dp.filters.DealSettled!(id), deployment.deployBlock);
  const ev = settled[0] as unknown as { args: unknown[]; transactionHash: string } | undefined;
  const out = {
    dealId: id.toString(),
    state: dealStateName(d.state),
    buyer: created.buyer,
    seller: created.seller,
    escrow: formatEther(created.escrow),
    deadline: new Date(Number(created.deadline) * 1000).toISOString(),
    dataRoot: created.dataRoot,
    unwithdrawn: { buyer: formatEther(d.buyerPayout), seller: formatEther(d.sellerPayout) },
    settlement:
      ev === undefined
        ? null
        : {
            agreed: ev.args[1] as boolean,
            price: formatEther(ev.args[2] as bigint),
            termsHash: ev.args[3],
            transcriptHash: ev.args[4],
            txHash: ev.transactionHash,
          },
  };
  if (a.json) console.log(JSON.stringify(out));
  else {
    console.log(`deal ${out.dealId}: ${out.state}  (escrow ${out.escrow} ETH, deadline ${out.deadline})`);
    console.log(`  buyer ${out.buyer} · seller ${out.seller} · dataRoot ${out.dataRoot}`);
    if (d.buyerPayout + d.sellerPayout > 0n)
      console.log(
        `  not yet withdrawn: buyer ${out.unwithdrawn.buyer} ETH · seller ${out.unwithdrawn.seller} ETH`,
      );
    if (out.settlement)
      console.log(
        `  ${out.settlement.agreed ? `agreed at ${out.settlement.price} ETH` : "no agreement"} · tx ${out.settlement.txHash}`,
      );
  }
}
