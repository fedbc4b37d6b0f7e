/**
 * A deal's on-chain state and settlement, and — from the oracle's API, when it answers — the
 * oracle's progress and the reason a deal closed with no agreement. `--wait` polls until the deal
 * is settled or refunded.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { formatEther } from "ethers";
import { dealContext, dealIdArg, dealIdHex, wrap } from "./context.ts";
import { userError } from "./user-error.ts";
import { oracleUrl } from "./oracle-url.ts";
import { dealStateName } from "../../sdk/src/deal-state.ts";
import { readDealCreated, readDealSettled } from "../../oracle/chain/deal-events.ts";
import { fetchOracleDeal } from "../../sdk/src/oracle-api.ts";

interface Args {
  dealId: string;
  oracle: string;
  wait: boolean;
  timeout: string;
  json: boolean;
}

export default async function dealStatus(a: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const id = dealIdArg(a.dealId);
  const api = oracleUrl(a.oracle);
  if (!/^[1-9][0-9]*$/.test(a.timeout)) throw userError("--timeout must be a whole number of seconds");
  const { connection, dp, deployment } = await dealContext(hre);
  const getDeal = () => wrap(() => dp.getDeal(id));
  let d = await getDeal();
  // escrow, deadline and data root as created (getDeal keeps them only while the deal is live)
  const created = d.state === 0n ? null : await wrap(() => readDealCreated(dp, id, deployment.deployBlock));
  if (created === null) throw userError(`deal ${dealIdHex(id)} does not exist on this DealProof`);
  if (a.wait) {
    const until = Date.now() + Number(a.timeout) * 1000;
    while (d.state === 1n || d.state === 2n) {
      if (Date.now() > until)
        throw userError(`deal ${dealIdHex(id)} is still ${dealStateName(d.state)} after ${a.timeout} s`);
      if (!a.json) process.stderr.write(`waiting: deal is ${dealStateName(d.state)}…\r`);
      await new Promise((r) => setTimeout(r, 1000));
      d = await getDeal();
    }
    if (!a.json) process.stderr.write("\n");
  }
  const ev = await wrap(() => readDealSettled(dp, id, deployment.deployBlock));
  const now = BigInt((await wrap(() => connection.ethers.provider.getBlock("latest")))!.timestamp);
  // Open or Accepted past the deadline: the oracle can no longer settle it, anyone may refund it
  const refundable = (d.state === 1n || d.state === 2n) && now > created.deadline;
  const net = connection.networkName === "default" ? "" : ` --network ${connection.networkName}`;
  const next = refundable
    ? `past its deadline: refundable with npx hardhat deal:refund ${dealIdHex(id)}${net}`
    : null;
  // The oracle's view is a courtesy: the chain is the authority, so an unreachable oracle is no error.
  const oracle = await fetchOracleDeal(api, id).then(
    (o) => ({ status: o.status, reason: o.outcome?.reason ?? null, lastError: o.lastError }),
    (e: unknown) => ({ unavailable: (e as Error).message }),
  );
  const out = {
    dealId: id.toString(),
    dealIdHex: dealIdHex(id),
    state: dealStateName(d.state),
    refundable,
    next,
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
    oracle,
  };
  if (a.json) {
    console.log(JSON.stringify(out));
    return;
  }
  const shown = next === null ? out.state : `${out.state}, ${next}`;
  console.log(`deal ${out.dealIdHex}: ${shown}  (escrow ${out.escrow} ETH, deadline ${out.deadline})`);
  console.log(`  buyer ${out.buyer} · seller ${out.seller} · dataRoot ${out.dataRoot}`);
  if (d.buyerPayout + d.sellerPayout > 0n)
    console.log(
      `  not yet withdrawn: buyer ${out.unwithdrawn.buyer} ETH · seller ${out.unwithdrawn.seller} ETH`,
    );
  if (out.settlement)
    console.log(
      `  ${out.settlement.agreed ? `agreed at ${out.settlement.price} ETH` : "no agreement"} · tx ${out.settlement.txHash}`,
    );
  if ("unavailable" in oracle) console.log(`  oracle: ${oracle.unavailable}`);
  else {
    if (oracle.reason !== null && out.settlement?.agreed !== true) console.log(`  reason: ${oracle.reason}`);
    if (oracle.lastError !== null && out.settlement === null)
      console.log(`  oracle ${oracle.status}, retrying: ${oracle.lastError}`);
  }
}
