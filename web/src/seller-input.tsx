/**
 * The seller's private input as its forms take it — where the encrypted file is hosted, the
 * sealed floor, an optional posted price, the description and an optional DKIM-signed `.eml` —
 * shared by accepting a direct deal and publishing or updating a listing. Read and checked here;
 * sealing is the SDK's.
 */
import { MAX_TEXT, parseEthAmount, type SellerInput } from "dealproof";
import { badInput } from "./bad-input.ts";
import type { SellerKeyFile } from "./key-files.ts";

const b64 = async (f: File) => {
  const bytes = new Uint8Array(await f.arrayBuffer());
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};

/** The seller input from the form (the dataset's key from its key file), and the prices read. */
export async function readSellerInput(
  f: FormData,
  keyFile: SellerKeyFile | null,
): Promise<{ input: Omit<SellerInput, "v">; floorWei: bigint; postedWei?: bigint }> {
  if (keyFile === null)
    throw badInput("no dataset is committed", "commit a dataset or load its key file first");
  const location = String(f.get("location") ?? "").trim();
  if (!/^https?:\/\//.test(location))
    throw badInput("the location must be an https:// URL", "where the encrypted file is hosted");
  const floorWei = parseEthAmount(String(f.get("floor") ?? "").trim());
  if (floorWei === undefined) throw badInput("the floor must be an amount of ETH", "e.g. 0.5");
  // posted price (docs/negotiation.md): the seller names the price, the buyer's budget and
  // checks decide; it is the buyer's truthful option, and the price is at least the floor
  const postedText = String(f.get("posted") ?? "").trim();
  const postedWei = postedText === "" ? undefined : parseEthAmount(postedText);
  if (postedWei === undefined && postedText !== "")
    throw badInput("the posted price must be an amount of ETH, or empty to negotiate", "e.g. 0.8");
  if (postedWei !== undefined && postedWei < floorWei)
    throw badInput("the posted price is below your floor", "post a price at or above the floor");
  const eml = f.get("eml");
  return {
    floorWei,
    ...(postedWei === undefined ? {} : { postedWei }),
    input: {
      floorWei: floorWei.toString(),
      ...(postedWei === undefined ? {} : { postedPriceWei: postedWei.toString() }),
      description: String(f.get("description") ?? ""),
      dataset: { location, key: keyFile.key, chunkSize: keyFile.chunkSize },
      ...(eml instanceof File && eml.size > 0 ? { email: await b64(eml) } : {}),
    },
  };
}

/** The seller input's fields (names as readSellerInput reads them). */
export function SellerInputFields({ postedLabel }: { postedLabel?: string }) {
  return (
    <>
      <label>
        Encrypted file location (https://)
        <input name="location" type="url" required placeholder="https://example.com/data.csv.enc" />
      </label>
      <label>
        Floor price (ETH, sealed)
        <input name="floor" required inputMode="decimal" />
      </label>
      <label>
        {postedLabel ??
          "Posted price (ETH, optional: the price, take it or leave it; empty to negotiate within the floor)"}
        <input name="posted" inputMode="decimal" />
      </label>
      <label>
        Description
        <textarea name="description" required maxLength={MAX_TEXT} />
      </label>
      <label>
        Seller email (.eml, optional: DKIM proves your domain)
        <input name="eml" type="file" accept=".eml,message/rfc822" />
      </label>
    </>
  );
}
