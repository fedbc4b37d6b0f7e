/**
 * Seller: seals the floor, description and dataset locator to the oracle and accepts the deal.
 * Before the transaction it does the oracle's own data check (decrypt with the key, Merkle root
 * over the plaintext = the deal's dataRoot, chunk size from the encrypted file's header), so a
 * wrong key, file or root is refused here instead of settling the deal "no agreement" for good.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { readFileSync } from "node:fs";
import { isHexString } from "ethers";
import { userError, asUserError } from "./user-error.ts";
import { dealContext, dealIdArg, dealIdHex, ethAmount, wrap } from "./context.ts";
import { acceptDeal } from "../../sdk/src/parties.ts";
import { oraclePreflight } from "./oracle-preflight.ts";
import { readDealCreated } from "../../oracle/chain/deal-events.ts";
import { openSource } from "../../oracle/data/source.ts";
import { decodeHeader } from "../../oracle/data/encryption.ts";
import { ENC_HEADER_LEN } from "../../sdk/src/dataset-format.ts";
import { fetchAndVerifyDataset } from "../../oracle/data/dataset.ts";
import { progressPrinter } from "../../client/files.ts";

interface Args {
  dealId: string;
  floor: string;
  postedPrice: string;
  description: string;
  location: string;
  keyFile: string;
  eml: string;
  account: string;
  json: boolean;
  oracle: string;
  skipOracleCheck: boolean;
}

/** The encrypted file's header (its first 48 bytes): chunk size and plaintext size. */
async function readHeader(location: string) {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const b of openSource(location)) {
    parts.push(Buffer.from(b));
    n += b.length;
    if (n >= ENC_HEADER_LEN) break;
  }
  return decodeHeader(Buffer.concat(parts));
}

export default async function dealAccept(a: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const id = dealIdArg(a.dealId);
  if (a.description === "") throw userError("--description is required (sealed)");
  if (!/^(file|https?):\/\//.test(a.location))
    throw userError("--location must be a file://, http:// or https:// URL of the encrypted dataset");
  if (a.keyFile === "")
    throw userError("--key-file is required: the dataset key from dataset:encrypt --key-out");
  let key: string;
  try {
    key = readFileSync(a.keyFile, "utf8").trim();
  } catch {
    throw userError(`cannot read --key-file ${a.keyFile}`);
  }
  if (!isHexString(key, 32)) throw userError(`${a.keyFile} must hold the 32-byte dataset key as 0x-hex`);
  let email: string | undefined;
  if (a.eml !== "") {
    try {
      email = readFileSync(a.eml).toString("base64");
    } catch {
      throw userError(`cannot read --eml ${a.eml}`);
    }
  }
  // posted price: the seller names the price (the buyer's truthful option); it is also the floor
  const postedWei = a.postedPrice === "" ? undefined : ethAmount("posted-price", a.postedPrice);
  const floorWei = a.floor === "" && postedWei !== undefined ? postedWei : ethAmount("floor", a.floor);
  const { connection, dp, signer, deployment } = await dealContext(hre, a.account);
  const created = await wrap(() => readDealCreated(dp, id, deployment.deployBlock));
  if (created === null) throw userError(`deal ${dealIdHex(id)} does not exist on this DealProof`);
  const me = await signer.getAddress();
  if (me !== created.seller)
    throw userError(
      `deal ${dealIdHex(id)} names seller ${created.seller}, not ${me}: pick that signer with --account`,
    );
  let chunkSize: number;
  try {
    const header = await readHeader(a.location);
    chunkSize = header.chunkSize;
    await fetchAndVerifyDataset({ location: a.location, key, chunkSize }, created.dataRoot, {
      onProgress: a.json ? undefined : progressPrinter("checking the dataset", header.size),
    });
  } catch (e) {
    throw asUserError(
      e,
      `the dataset at ${a.location} does not pass the oracle's check, so the deal would close with no agreement: `,
    );
  }
  // last before the transaction: the oracle may have gone down while the dataset was checked
  await oraclePreflight({ dp, deployment, provider: connection.ethers.provider }, a);
  const r = await wrap(() =>
    acceptDeal(dp, signer, id, {
      floorWei: floorWei.toString(),
      ...(postedWei === undefined ? {} : { postedPriceWei: postedWei.toString() }),
      description: a.description,
      dataset: { location: a.location, key, chunkSize },
      ...(email === undefined ? {} : { email }),
    }),
  );
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
