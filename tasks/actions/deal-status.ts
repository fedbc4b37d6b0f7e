import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { formatEther } from "ethers";
import { dealContext, dealIdArg } from "./context.ts";
import { userError } from "./user-error.ts";

const STATES = ["None", "Open", "Accepted", "Settled", "Refunded"];

export default async function dealStatus(
  a: { dealId: string; json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  const id = dealIdArg(a.dealId);
  const { dp, deployment } = await dealContext(hre);
  const d = (await dp.getFunction("getDeal")(id)) as {
    buyer: string;
    seller: string;
    escrow: bigint;
    deadline: bigint;
    state: bigint;
    dataRoot: string;
  };
  if (d.state === 0n) throw userError(`deal ${id} does not exist on this DealProof`);
  const settled = await dp.queryFilter(dp.filters.DealSettled!(id), deployment.deployBlock);
  const ev = settled[0] as unknown as { args: unknown[]; transactionHash: string } | undefined;
  const out = {
    dealId: id.toString(),
    state: STATES[Number(d.state)],
    buyer: d.buyer,
    seller: d.seller,
    escrow: formatEther(d.escrow),
    deadline: new Date(Number(d.deadline) * 1000).toISOString(),
    dataRoot: d.dataRoot,
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
    if (out.settlement)
      console.log(
        `  ${out.settlement.agreed ? `agreed at ${out.settlement.price} ETH` : "no agreement"} · tx ${out.settlement.txHash}`,
      );
  }
}
