/**
 * Seller: withdraws one of its listings (no new deal can be bought against it; deals created
 * before keep their terms), through the SDK's withdrawListing; refuses before sending when the
 * listing does not exist, is not the account's, or is withdrawn already.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { dealContext, dealIdArg, dealIdHex, wrap } from "./context.ts";
import { userError } from "./user-error.ts";
import { getListing, withdrawListing } from "../../sdk/src/listings.ts";

export default async function listingWithdraw(
  a: { listingId: string; account: string; json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  const id = dealIdArg(a.listingId);
  const { dp, signer } = await dealContext(hre, a.account);
  const me = await signer.getAddress();
  const l = await wrap(() => getListing(dp, signer, id));
  if (l.status === "None") throw userError(`listing ${dealIdHex(id)} does not exist on this DealProof`);
  if (l.seller !== me) throw userError(`listing ${dealIdHex(id)} is ${l.seller}'s, not account ${me}'s`);
  if (l.status === "Withdrawn") throw userError(`listing ${dealIdHex(id)} is withdrawn already`);
  const receipt = await wrap(() => withdrawListing(dp, signer, id));
  const out = { listingId: dealIdHex(id), version: l.version, txHash: receipt.hash };
  console.log(
    a.json
      ? JSON.stringify(out)
      : `withdrew listing ${out.listingId} at version ${l.version} (tx ${out.txHash})`,
  );
}
