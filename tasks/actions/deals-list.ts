/** Lists the deals of a buyer and/or a seller from DealCreated events, with their current state. */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { formatEther, isAddress } from "ethers";
import { dealContext, dealIdHex, wrap } from "./context.ts";
import { userError } from "./user-error.ts";
import { dealStateName } from "../../sdk/src/deal-state.ts";

interface Args {
  buyer: string;
  seller: string;
  account: string;
  json: boolean;
}

export default async function dealsList(a: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  for (const [k, v] of [
    ["buyer", a.buyer],
    ["seller", a.seller],
  ] as const)
    if (v !== "" && !isAddress(v)) throw userError(`--${k} must be an address`);
  const { dp, deployment, signer } = await dealContext(hre, a.account);
  const me = await signer.getAddress();
  // Neither given: the deals where the chosen account is the buyer or the seller.
  const buyer = a.buyer === "" && a.seller === "" ? me : a.buyer;
  const seller = a.buyer === "" && a.seller === "" ? me : a.seller;
  const logs = await wrap(async () => [
    ...(buyer === ""
      ? []
      : await dp.queryFilter(dp.filters.DealCreated(undefined, buyer), deployment.deployBlock)),
    ...(seller === ""
      ? []
      : await dp.queryFilter(dp.filters.DealCreated(undefined, undefined, seller), deployment.deployBlock)),
  ]);
  const seen = new Set<bigint>();
  const deals = [];
  for (const ev of logs.filter((l) => "args" in l).sort((x, y) => x.blockNumber - y.blockNumber)) {
    const id = ev.args.dealId;
    if (seen.has(id)) continue;
    seen.add(id);
    const d = await wrap(() => dp.getDeal(id));
    deals.push({
      dealId: id.toString(),
      dealIdHex: dealIdHex(id),
      state: dealStateName(d.state),
      buyer: ev.args.buyer,
      seller: ev.args.seller,
      escrow: formatEther(ev.args.escrow),
      deadline: new Date(Number(ev.args.deadline) * 1000).toISOString(),
      block: ev.blockNumber,
    });
  }
  if (a.json) {
    console.log(JSON.stringify({ deals }));
    return;
  }
  if (deals.length === 0) console.log("no deals");
  for (const d of deals)
    console.log(
      `${d.dealIdHex}  ${d.state.padEnd(8)} ${d.escrow} ETH  deadline ${d.deadline}  buyer ${d.buyer} seller ${d.seller}`,
    );
}
