import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { hexlify, isAddress, isHexString, formatEther } from "ethers";
import { userError, asUserError, moreHint } from "./user-error.ts";
import { dealContext, dealIdArg, dealIdHex, ethAmount, wrap, writeNewFile } from "./context.ts";
import { createDeal } from "../../sdk/src/parties.ts";
import { createDealFromListing, getListing } from "../../sdk/src/listings.ts";
import { oraclePreflight } from "./oracle-preflight.ts";
import { generateX25519KeyPair } from "../../sdk/src/hpke.ts";
import { readCheckSpecFile } from "./checks-file.ts";

interface Args {
  /** Buy from this listing instead of naming --seller and --data-root. */
  listing?: string;
  seller: string;
  dataRoot: string;
  escrow: string;
  budget: string;
  requirements: string;
  hours: string;
  deliveryKeyOut: string;
  force: boolean;
  account: string;
  json: boolean;
  requireSellerDomain: boolean;
  sellerDomain: string;
  oracle: string;
  skipOracleCheck: boolean;
  checks: string;
}

export default async function dealCreate(a: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const listingId = (a.listing ?? "") === "" ? undefined : dealIdArg(a.listing!);
  if (listingId !== undefined && (a.seller !== "" || a.dataRoot !== ""))
    throw userError("--listing names the seller and the data root: leave out --seller and --data-root");
  if (listingId === undefined && !isAddress(a.seller))
    throw userError("--seller must be the seller's address");
  if (listingId === undefined && !isHexString(a.dataRoot, 32))
    throw userError("--data-root must be the 32-byte root from dataset:commit");
  if (a.requirements === "")
    throw userError("--requirements is required (it is sealed, only the oracle reads it)");
  if (a.deliveryKeyOut === "")
    throw userError("--delivery-key-out is required: without that key you cannot receive the data");
  if (!/^[1-9][0-9]*$/.test(a.hours)) throw userError("--hours must be a whole number of hours");
  const escrow = ethAmount("escrow", a.escrow);
  const budget = ethAmount("budget", a.budget);
  if (budget > escrow) throw userError("--budget cannot exceed --escrow (the escrow pays the price)");
  const sellerDomain = a.sellerDomain.trim().toLowerCase();
  if (sellerDomain !== "" && !/^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(sellerDomain))
    throw userError("--seller-domain must be a domain name such as example.com");
  const requireSellerDomain = sellerDomain !== "" ? sellerDomain : a.requireSellerDomain;
  // validated before anything is written or escrowed: a bad spec costs nothing
  const checks = a.checks === "" ? undefined : readCheckSpecFile(a.checks);
  const { connection, dp, signer, deployment } = await dealContext(hre, a.account);
  // Before the key file and the escrow: an oracle that is down or not the registered one would
  // leave the escrow locked until the deadline.
  // a listing that cannot be bought, or whose posted price the escrow or budget cannot pay, is
  // refused here: before the key file is written and before any ETH moves
  const listing = listingId === undefined ? undefined : await wrap(() => getListing(dp, signer, listingId));
  if (listing !== undefined) {
    const shown = dealIdHex(listing.listingId);
    if (listing.status !== "Active")
      throw userError(`listing ${shown} cannot be bought: it is ${listing.status}`, {
        code: "listing.not_buyable",
        hint:
          listing.status === "RepublishNeeded"
            ? "its seller must update it (re-sealing to the current oracle key) first"
            : "choose another listing (npx hardhat listings:list)",
      });
    if (listing.seller === (await signer.getAddress()))
      throw userError(`listing ${shown} is your own: a seller cannot buy its own listing`);
    if (listing.mode === "Posted" && escrow < listing.postedPriceWei)
      throw userError(
        `--escrow ${formatEther(escrow)} ETH is below listing ${shown}'s posted price of ${formatEther(listing.postedPriceWei)} ETH`,
        { code: "listing.escrow_below_price", hint: "escrow at least the posted price" },
      );
    if (listing.mode === "Posted" && budget < listing.postedPriceWei)
      throw userError(
        `--budget ${formatEther(budget)} ETH is below listing ${shown}'s posted price of ${formatEther(listing.postedPriceWei)} ETH: the deal would end with no agreement`,
        {
          code: "listing.budget_below_price",
          hint: "raise --budget to the posted price, or choose another listing",
        },
      );
  }
  await oraclePreflight({ dp, deployment, provider: connection.ethers.provider }, a);
  const now = (await wrap(() => connection.ethers.provider.getBlock("latest")))!.timestamp;
  // The key is saved before the escrow moves: a bad path must fail while nothing is spent.
  const delivery = await generateX25519KeyPair();
  writeNewFile(a.deliveryKeyOut, hexlify(delivery.privateKey) + "\n", a.force, "--delivery-key-out");
  let d;
  try {
    const terms = {
      escrowWei: escrow,
      deadline: now + Number(a.hours) * 3600,
      budgetWei: budget,
      requirements: a.requirements,
      requireSellerDomain,
      delivery,
      ...(checks === undefined ? {} : { checks }),
    };
    d = await wrap(() =>
      listing === undefined
        ? createDeal(dp, signer, { ...terms, seller: a.seller, dataRoot: a.dataRoot })
        : createDealFromListing(dp, signer, {
            ...terms,
            listingId: listing.listingId,
            version: listing.version,
          }),
    );
  } catch (e) {
    // Kept: if the transaction was mined after all (a timeout), this key is the only way to the data.
    throw asUserError(e, "", {
      hint: moreHint(
        e,
        `the delivery key stays in ${a.deliveryKeyOut}; if no deal was created you can delete it`,
      ),
    });
  }
  const out = {
    dealId: d.dealId.toString(),
    dealIdHex: dealIdHex(d.dealId),
    txHash: d.receipt.hash,
    gasUsed: d.receipt.gasUsed.toString(),
    escrow: formatEther(escrow),
    deliveryKeyFile: a.deliveryKeyOut,
    requireSellerDomain,
    checks: checks?.checks.length ?? 0,
    ...(listing === undefined
      ? {}
      : { listingId: dealIdHex(listing.listingId), listingVersion: listing.version }),
  };
  console.log(
    a.json
      ? JSON.stringify(out)
      : `deal ${out.dealIdHex} created (escrow ${out.escrow} ETH, tx ${out.txHash}); delivery key saved to ${a.deliveryKeyOut}`,
  );
}
