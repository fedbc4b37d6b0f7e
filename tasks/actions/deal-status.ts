import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { formatEther } from "ethers";
import { dealContext, dealIdArg } from "./context.ts";
import { userError } from "./user-error.ts";
import { dealStateName } from "../../oracle/protocol/deal-state.ts";
import { readDealCreated, readDealSettled } from "../../oracle/client/deal-events.ts";

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
  const ev = await readDealSettled(dp, id, deployment.deployBlock);
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
      ev === null
        ? null
        : {
            agreed: ev.agreed,
            price: formatEther(ev.price),
            termsHash: ev.termsHash,
            transcriptHash: ev.transcriptHash,
            txHash: ev.txHash,
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
