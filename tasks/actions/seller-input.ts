/**
 * The seller's private input as deal:accept, listing:publish and listing:update build it from
 * their options: dataset location, key file, optional DKIM `.eml`, floor or posted price. Before
 * anything is sealed or sent it does the oracle's own data check (decrypt with the key, Merkle
 * root over the plaintext = the expected root, chunk size from the encrypted file's header), so a
 * wrong key, file or root is refused here instead of ending deals "no agreement".
 */
import { readFileSync } from "node:fs";
import { isHexString } from "ethers";
import { userError, asUserError } from "./user-error.ts";
import { ethAmount } from "./context.ts";
import { openSource } from "../../oracle/data/source.ts";
import { decodeHeader } from "../../oracle/data/encryption.ts";
import { ENC_HEADER_LEN } from "../../sdk/src/dataset-format.ts";
import { fetchAndVerifyDataset } from "../../oracle/data/dataset.ts";
import { progressPrinter } from "../../client/files.ts";
import type { SellerInput } from "../../sdk/src/inputs.ts";

export interface SellerInputArgs {
  floor: string;
  postedPrice: string;
  description: string;
  location: string;
  keyFile: string;
  eml: string;
  json: boolean;
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

/** The options checked, without reading the dataset: what is wrong is said before any network call. */
export function parseSellerOptions(a: SellerInputArgs) {
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
  return { key, email, postedWei, floorWei };
}

/**
 * The seller input for `dataRoot`, after checking the dataset against it; with the plaintext
 * size and chunk size the encrypted file's header gives (a listing's public layout).
 */
export async function sellerInputFor(a: SellerInputArgs, dataRoot: string) {
  const o = parseSellerOptions(a);
  let header: { chunkSize: number; size: number };
  try {
    header = await readHeader(a.location);
    await fetchAndVerifyDataset({ location: a.location, key: o.key, chunkSize: header.chunkSize }, dataRoot, {
      onProgress: a.json ? undefined : progressPrinter("checking the dataset", header.size),
    });
  } catch (e) {
    throw asUserError(
      e,
      `the dataset at ${a.location} does not pass the oracle's check, so the deal would close with no agreement: `,
    );
  }
  const input: Omit<SellerInput, "v"> = {
    floorWei: o.floorWei.toString(),
    ...(o.postedWei === undefined ? {} : { postedPriceWei: o.postedWei.toString() }),
    description: a.description,
    dataset: { location: a.location, key: o.key, chunkSize: header.chunkSize },
    ...(o.email === undefined ? {} : { email: o.email }),
  };
  return { input, postedWei: o.postedWei, chunkSize: header.chunkSize, byteSize: header.size };
}
