/**
 * Lists the listings on this DealProof (optionally one seller's) through the SDK's listListings:
 * id, seller, mode, price, status, version and sales, as a table or JSON.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { formatEther, isAddress } from "ethers";
import { dealContext, dealIdHex, wrap } from "./context.ts";
import { userError } from "./user-error.ts";
import { listListings } from "../../sdk/src/listings.ts";

interface Args {
  seller: string;
  account: string;
  json: boolean;
}

export default async function listingsList(a: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  if (a.seller !== "" && !isAddress(a.seller)) throw userError("--seller must be an address");
  const { dp, deployment, signer } = await dealContext(hre, a.account);
  const found = await wrap(() =>
    listListings(dp, signer, {
      ...(a.seller === "" ? {} : { seller: a.seller }),
      fromBlock: deployment.deployBlock,
    }),
  );
  const listings = found.map((l) => ({
    listingId: dealIdHex(l.listingId),
    seller: l.seller,
    mode: l.mode,
    price: l.mode === "Posted" ? formatEther(l.postedPriceWei) : null,
    status: l.status,
    version: l.version,
    sales: l.sales,
    metadataURI: l.metadataURI,
  }));
  if (a.json) {
    console.log(JSON.stringify({ listings }));
    return;
  }
  if (listings.length === 0) console.log("no listings");
  for (const l of listings)
    console.log(
      `${l.listingId}  ${l.seller}  ${l.mode.padEnd(10)} ${(l.price === null ? "-" : `${l.price} ETH`).padEnd(14)} ` +
        `${l.status.padEnd(15)} v${l.version}  ${l.sales} sales`,
    );
}
