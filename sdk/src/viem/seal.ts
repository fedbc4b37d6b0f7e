/**
 * Sealing a party's input to the registered oracle key with viem and @noble only (no ethers, no
 * zod): the input is checked by hand (input-checks.ts), written as UTF-8 JSON and HPKE-sealed with
 * the same context and the same length-hiding padding as the `dealproof` entry's sealBuyerInput /
 * sealSellerInput / sealListingSellerInput, so the oracle opens either the same way.
 */
import type { Address } from "viem";
import { hpkeSeal } from "../hpke.ts";
import { lengthHidingJson, reservationValues } from "../length-hiding.ts";
import { MAX_SEALED_BYTES } from "../limits.ts";
import { SealedInputError } from "../sealed-input-error.ts";
import { checkBuyerInput, checkSellerInput } from "./input-checks.ts";
import { dealSealInfo, listingSealInfo } from "./protocol.ts";
import type { BuyerInput, SellerInput } from "./types.ts";

/** Where a deal's sealed input may be opened. */
export interface DealSealContext {
  chainId: bigint | number;
  contract: Address;
  dealId: bigint;
}

/** Where a listing's sealed seller input may be opened. */
export interface ListingSealContext {
  chainId: bigint | number;
  contract: Address;
  listingId: bigint;
}

async function sealChecked(publicKey: Uint8Array, info: Uint8Array, role: "buyer" | "seller", input: object) {
  // padded so the ciphertext's public length does not tell the reservation value (DESIGN.md §8)
  const json = lengthHidingJson(input, reservationValues(role, input));
  const sealed = await hpkeSeal(publicKey, info, info, json);
  if (sealed.length > MAX_SEALED_BYTES)
    throw new SealedInputError(
      "too_large",
      `the sealed ${role} input is ${sealed.length} bytes; at most ${MAX_SEALED_BYTES}`,
      {
        hint: "shorten the free-text fields or move large data (overlap keys, the email) out of the input",
      },
    );
  return sealed;
}

/** A party's input for one deal: checked, then sealed to the deal's context. */
function sealForDeal(role: "buyer" | "seller", publicKey: Uint8Array, ctx: DealSealContext, input: object) {
  (role === "buyer" ? checkBuyerInput : checkSellerInput)(input);
  const info = dealSealInfo(role, { chainId: ctx.chainId, contract: ctx.contract }, ctx.dealId);
  return sealChecked(publicKey, info, role, input);
}

/** The buyer's input sealed for one deal (its id from `dealIdFor`). */
export const sealBuyerInput = (publicKey: Uint8Array, ctx: DealSealContext, input: BuyerInput) =>
  sealForDeal("buyer", publicKey, ctx, input);

/** The seller's input sealed for one deal it accepts. */
export const sealSellerInput = (publicKey: Uint8Array, ctx: DealSealContext, input: SellerInput) =>
  sealForDeal("seller", publicKey, ctx, input);

/** The seller's input sealed once for a listing (every deal against it uses it). */
export function sealListingSellerInput(
  publicKey: Uint8Array,
  ctx: ListingSealContext,
  input: SellerInput,
): Promise<Uint8Array> {
  checkSellerInput(input);
  const info = listingSealInfo({ chainId: ctx.chainId, contract: ctx.contract }, ctx.listingId);
  return sealChecked(publicKey, info, "seller", input);
}
