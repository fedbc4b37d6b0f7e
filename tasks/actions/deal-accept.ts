/**
 * Seller: seals the floor, description and dataset locator to the oracle and accepts the deal.
 * Before the transaction it does the oracle's own data check (decrypt with the key, Merkle root
 * over the plaintext = the deal's dataRoot, chunk size from the encrypted file's header), so a
 * wrong key, file or root is refused here instead of settling the deal "no agreement" for good.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { userError } from "./user-error.ts";
import { dealContext, dealIdArg, dealIdHex, wrap } from "./context.ts";
import { acceptDeal } from "../../sdk/src/parties.ts";
import { oraclePreflight } from "./oracle-preflight.ts";
import { readDealCreated } from "../../oracle/chain/deal-events.ts";
import { parseSellerOptions, sellerInputFor, type SellerInputArgs } from "./seller-input.ts";

interface Args extends SellerInputArgs {
  dealId: string;
  account: string;
  oracle: string;
  skipOracleCheck: boolean;
}

export default async function dealAccept(a: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const id = dealIdArg(a.dealId);
  parseSellerOptions(a); // bad options are refused before any chain read
  const { connection, dp, signer, deployment } = await dealContext(hre, a.account);
  const created = await wrap(() => readDealCreated(dp, id, deployment.deployBlock));
  if (created === null) throw userError(`deal ${dealIdHex(id)} does not exist on this DealProof`);
  const me = await signer.getAddress();
  if (me !== created.seller)
    throw userError(
      `deal ${dealIdHex(id)} names seller ${created.seller}, not ${me}: pick that signer with --account`,
    );
  const { input, chunkSize } = await sellerInputFor(a, created.dataRoot);
  // last before the transaction: the oracle may have gone down while the dataset was checked
  await oraclePreflight({ dp, deployment, provider: connection.ethers.provider }, a);
  const r = await wrap(() => acceptDeal(dp, signer, id, input));
  const out = {
    dealId: id.toString(),
    dealIdHex: dealIdHex(id),
    chunkSize,
    txHash: r.hash,
    gasUsed: r.gasUsed.toString(),
  };
  console.log(
    a.json
      ? JSON.stringify(out)
      : `deal ${out.dealIdHex} accepted (tx ${out.txHash}); the oracle negotiates next — follow it with deal:status ${out.dealIdHex} --wait`,
  );
}
