/**
 * Seller: `listing:publish` publishes a dataset as a listing; `listing:update` (with a listing
 * id) replaces its terms and sealed input — its next version, sealed to the oracle's current key,
 * which is also how a RepublishNeeded listing becomes buyable again. Posted mode when
 * --posted-price is given (the public price), negotiated within the sealed --floor otherwise.
 * Before anything is sealed or sent: the options, the dataset against its root (seller-input.ts),
 * the listing's state (publish: none live for this root; update: the account's, not withdrawn)
 * and the oracle's pre-flight. The chunk layout announced is the encrypted file's own.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { formatEther, isHexString } from "ethers";
import { userError } from "./user-error.ts";
import { dealContext, dealIdArg, dealIdHex, wrap } from "./context.ts";
import { oraclePreflight } from "./oracle-preflight.ts";
import { parseSellerOptions, sellerInputFor, type SellerInputArgs } from "./seller-input.ts";
import { getListing, listingIdOf, publishListing, updateListing } from "../../sdk/src/listings.ts";

interface Args extends SellerInputArgs {
  /** listing:update only: the listing to update. */
  listingId?: string;
  /** listing:publish only: the dataset's root (dataset:commit). */
  dataRoot?: string;
  metadataUri: string;
  days: string;
  account: string;
  oracle: string;
  skipOracleCheck: boolean;
}

export default async function listingPublish(a: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const updating = a.listingId !== undefined;
  const id = updating ? dealIdArg(a.listingId!) : undefined;
  if (!updating && !isHexString(a.dataRoot ?? "", 32))
    throw userError("--data-root must be the 32-byte root from dataset:commit");
  if (
    a.metadataUri !== "" &&
    (!/^(https:\/\/|ipfs:\/\/)/.test(a.metadataUri) || Buffer.byteLength(a.metadataUri) > 512)
  )
    throw userError("--metadata-uri must be an https:// or ipfs:// reference of at most 512 bytes (public)");
  if (a.days !== "" && !/^[1-9][0-9]{0,4}$/.test(a.days))
    throw userError("--days must be a whole number of days until the listing expires (or leave it out)");
  parseSellerOptions(a); // bad options are refused before any chain read
  const { connection, dp, signer, deployment } = await dealContext(hre, a.account);
  const me = await signer.getAddress();
  const listingId = id ?? (await wrap(() => listingIdOf(dp, signer, a.dataRoot!)));
  const current = await wrap(() => getListing(dp, signer, listingId));
  const shown = dealIdHex(listingId);
  if (updating) {
    if (current.status === "None") throw userError(`listing ${shown} does not exist on this DealProof`);
    if (current.seller !== me)
      throw userError(`listing ${shown} is ${current.seller}'s, not account ${me}'s`);
    if (current.status === "Withdrawn")
      throw userError(`listing ${shown} is withdrawn: publish it again with listing:publish`);
  } else if (current.status !== "None" && current.status !== "Withdrawn")
    throw userError(`you have a live listing of this data root already: ${shown} (${current.status})`, {
      code: "listing.exists",
      hint: `change it with npx hardhat listing:update ${shown}, or withdraw it first`,
    });
  const dataRoot = updating ? current.dataRoot : a.dataRoot!;
  const { input, postedWei, chunkSize, byteSize } = await sellerInputFor(a, dataRoot);
  await oraclePreflight({ dp, deployment, provider: connection.ethers.provider }, a);
  const now = (await wrap(() => connection.ethers.provider.getBlock("latest")))!.timestamp;
  const terms = {
    mode: postedWei === undefined ? ("Negotiated" as const) : ("Posted" as const),
    ...(postedWei === undefined ? {} : { postedPriceWei: postedWei }),
    expiresAt: a.days === "" ? 0 : now + Number(a.days) * 86_400,
    chunkSize,
    chunkCount: Math.max(1, Math.ceil(byteSize / chunkSize)),
    byteSize,
    metadataURI: a.metadataUri,
  };
  const r = await wrap(() =>
    updating
      ? updateListing(dp, signer, listingId, { ...terms, input })
      : publishListing(dp, signer, { ...terms, dataRoot, input }),
  );
  const after = await wrap(() => getListing(dp, signer, listingId));
  const out = {
    listingId: shown,
    version: after.version,
    mode: terms.mode,
    price: postedWei === undefined ? null : formatEther(postedWei),
    expiresAt: terms.expiresAt,
    dataRoot,
    txHash: r.receipt.hash,
    gasUsed: r.receipt.gasUsed.toString(),
  };
  const what = terms.mode === "Posted" ? `posted at ${out.price} ETH` : "negotiated (floor sealed)";
  console.log(
    a.json
      ? JSON.stringify(out)
      : `listing ${shown} ${updating ? "updated to" : "published at"} version ${out.version}, ${what} (tx ${out.txHash}); the oracle verifies it next — see npx hardhat listings:list`,
  );
}
