/**
 * The parties' private inputs (DESIGN.md §6): JSON validated with zod, HPKE-sealed to the
 * registered oracle key with the role, chain id, contract and deal id bound into HPKE `info`
 * (and repeated as `aad`), so a ciphertext moved to another deal, contract, chain or role fails
 * to open. Errors name the field and the problem, never the value.
 */
import { formatDealId } from "./deal-id.ts";
import { z } from "zod";
import { getAddress, keccak256, toUtf8Bytes } from "ethers";
import { MAX_CHUNK_SIZE, MAX_SEALED_BYTES, MAX_TEXT, MIN_CHUNK_SIZE } from "./limits.ts";
import { boundInfo, openJson, sealJson } from "./sealed-json.ts";
import { reservationValues } from "./length-hiding.ts";
import { describeIssues } from "./zod-issues.ts";
import { checkSpecSchema, datasheetSchema, disclosurePolicySchema, overlapKeysSchema } from "./checks.ts";
import {
  ACCESS_SCOPES,
  BASE64_PATTERN,
  BASE64_RULE,
  DATASET_FORMATS,
  DOMAIN_PATTERN,
  DOMAIN_RULE,
  EMAIL_LONG_RULE,
  HEX32_PATTERN,
  HEX32_RULE,
  LOCATION_PATTERN,
  LOCATION_RULE,
  MAX_EMAIL_BASE64,
  MAX_LOCATION,
  TEXT_EMPTY_RULE,
  TEXT_LONG_RULE,
  WEI_PATTERN,
  WEI_RULE,
} from "./input-rules.ts";
import { SealedInputError } from "./sealed-input-error.ts";

export type Role = "buyer" | "seller";

export interface SealContext {
  role: Role;
  chainId: bigint;
  contract: string;
  dealId: bigint;
}

/** Fixed-width, domain-separated encoding of the context: abi.encode(tag, role, chainId, contract, dealId). */
export function sealInfo(ctx: SealContext): Uint8Array {
  return boundInfo(
    "DealProof/sealed-input/v1",
    ["bytes32", "uint256", "address", "uint256"],
    [keccak256(toUtf8Bytes(ctx.role)), ctx.chainId, getAddress(ctx.contract), ctx.dealId],
  );
}

/** Where a listing's seller input may be opened: the listing on one contract on one chain. */
export interface ListingSealContext {
  chainId: bigint;
  contract: string;
  listingId: bigint;
}

/**
 * The listing variant (DESIGN.md §11): abi.encode(tag, keccak("seller"), chainId, contract,
 * listingId) under its own tag, so a listing's sealed input opens for that listing only and never
 * as a deal's input (nor a deal's as a listing's).
 */
export function listingSealInfo(ctx: ListingSealContext): Uint8Array {
  return boundInfo(
    "DealProof/sealed-listing-input/v1",
    ["bytes32", "uint256", "address", "uint256"],
    [keccak256(toUtf8Bytes("seller")), ctx.chainId, getAddress(ctx.contract), ctx.listingId],
  );
}

const weiString = z.string().regex(WEI_PATTERN, WEI_RULE);
const hex32 = z.string().regex(HEX32_PATTERN, HEX32_RULE);
const text = z.string().min(1, TEXT_EMPTY_RULE).max(MAX_TEXT, TEXT_LONG_RULE);

/** A DNS name (the seller's DKIM-verified domain must equal it or be a subdomain of it). */
const domainName = z.string().max(253).regex(DOMAIN_PATTERN, DOMAIN_RULE);

/**
 * Negotiation pricing (issue 24), all optional: a limit per access scope where it differs from
 * the scalar one, and the seller's posted price (the truthful option for the buyer: a deal
 * exactly when the posted price is within its budget and the checks pass).
 */
const weiByScope = z.partialRecord(z.enum(ACCESS_SCOPES), weiString);
const buyerPricing = { budgetByScopeWei: weiByScope.optional() };
const sellerPricing = { floorByScopeWei: weiByScope.optional(), postedPriceWei: weiString.optional() };

export const buyerInputSchema = z.strictObject({
  v: z.literal(1),
  budgetWei: weiString,
  requirements: text,
  deliveryPublicKey: hex32,
  /**
   * DESIGN §8: true = the seller must prove a DKIM-verified domain; a domain = that domain (or a
   * subdomain of it). A seller who fails gets "no deal" with the reason code in the terms.
   */
  requireSellerDomain: z.union([z.boolean(), domainName]).optional(),
  ...buyerPricing,
  /** DESIGN §10: the buyer's checks, run by the oracle on the verified plaintext (sdk/src/checks.ts). */
  checks: checkSpecSchema.optional(),
  /** The buyer's own record keys for overlap checks, by location (they exceed the sealed-input cap). */
  overlapKeys: overlapKeysSchema.optional(),
});

export const sellerInputSchema = z.strictObject({
  v: z.literal(1),
  floorWei: weiString,
  description: text,
  dataset: z.strictObject({
    location: z.string().max(MAX_LOCATION).regex(LOCATION_PATTERN, LOCATION_RULE),
    key: hex32,
    chunkSize: z.number().int().min(MIN_CHUNK_SIZE).max(MAX_CHUNK_SIZE),
    /** The plaintext's format; inferred from its first bytes when absent. */
    format: z.enum(DATASET_FORMATS).optional(),
  }),
  /** DESIGN §10: machine-checkable claims; a false one ends the deal naming it. */
  datasheet: datasheetSchema.optional(),
  /** DESIGN §10: what the buyer's checks may reveal (defaults: DEFAULT_POLICY in checks.ts). */
  policy: disclosurePolicySchema.optional(),
  email: z.string().regex(BASE64_PATTERN, BASE64_RULE).max(MAX_EMAIL_BASE64, EMAIL_LONG_RULE).optional(),
  ...sellerPricing,
});

export type BuyerInput = z.infer<typeof buyerInputSchema>;
export type SellerInput = z.infer<typeof sellerInputSchema>;

export { SealedInputError } from "./sealed-input-error.ts";

/** What a seal is bound to: the HPKE info, and words for errors (never a value). */
interface Binding {
  role: Role;
  info: Uint8Array;
  /** "deal 0x… on chain 1 at 0x…" or "listing 0x… on chain 1 at 0x…". */
  where: string;
  /** What re-seals it. */
  hint: string;
}

function dealBinding(ctx: SealContext): Binding {
  return {
    role: ctx.role,
    info: sealInfo(ctx),
    where: `deal ${formatDealId(ctx.dealId)} on chain ${ctx.chainId} at ${ctx.contract}`,
    hint: "seal it again to the oracle's current key for this deal (createDeal and acceptDeal do)",
  };
}

function listingBinding(ctx: ListingSealContext): Binding {
  return {
    role: "seller",
    info: listingSealInfo(ctx),
    where: `listing ${formatDealId(ctx.listingId)} on chain ${ctx.chainId} at ${ctx.contract}`,
    hint: "re-publish the listing with its input sealed to the oracle's current key (updateListing does)",
  };
}

function checkSealedSize(b: Binding, sealed: Uint8Array): void {
  if (sealed.length > MAX_SEALED_BYTES) {
    throw new SealedInputError(
      "too_large",
      `the sealed ${b.role} input is ${sealed.length} bytes; at most ${MAX_SEALED_BYTES}`,
    );
  }
}

async function seal<T>(
  publicKey: Uint8Array,
  b: Binding,
  input: T,
  schema: z.ZodType<T>,
): Promise<Uint8Array> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new SealedInputError(
      "invalid_schema",
      `the ${b.role} input is invalid: ${describeIssues(parsed.error)}`,
    );
  }
  // padded so the ciphertext's public length does not tell the reservation value (DESIGN.md §8)
  const sealed = await sealJson(
    publicKey,
    b.info,
    parsed.data,
    reservationValues(b.role, parsed.data as object),
  );
  checkSealedSize(b, sealed);
  return sealed;
}

async function open<T>(
  privateKey: Uint8Array,
  b: Binding,
  sealed: Uint8Array,
  schema: z.ZodType<T>,
): Promise<T> {
  checkSealedSize(b, sealed);
  const opened = await openJson(privateKey, b.info, sealed, schema);
  if (opened.ok) return opened.value;
  switch (opened.kind) {
    case "cannot_open":
      throw new SealedInputError(
        "cannot_open",
        `the ${b.role} input does not open with this oracle's key for ${b.where}: ` +
          "it was sealed to another key or deal, or altered",
        { hint: b.hint },
      );
    case "not_json":
      throw new SealedInputError("not_json", `the ${b.role} input opened but is not UTF-8 JSON`);
    case "invalid_schema":
      throw new SealedInputError("invalid_schema", `the ${b.role} input is invalid: ${opened.issues}`);
  }
}

export function sealBuyerInput(publicKey: Uint8Array, ctx: Omit<SealContext, "role">, input: BuyerInput) {
  return seal(publicKey, dealBinding({ ...ctx, role: "buyer" }), input, buyerInputSchema);
}
export function sealSellerInput(publicKey: Uint8Array, ctx: Omit<SealContext, "role">, input: SellerInput) {
  return seal(publicKey, dealBinding({ ...ctx, role: "seller" }), input, sellerInputSchema);
}
export function openBuyerInput(privateKey: Uint8Array, ctx: Omit<SealContext, "role">, sealed: Uint8Array) {
  return open(privateKey, dealBinding({ ...ctx, role: "buyer" }), sealed, buyerInputSchema);
}
export function openSellerInput(privateKey: Uint8Array, ctx: Omit<SealContext, "role">, sealed: Uint8Array) {
  return open(privateKey, dealBinding({ ...ctx, role: "seller" }), sealed, sellerInputSchema);
}
/** Seals a listing's seller input once, for every deal against that listing (DESIGN.md §11). */
export function sealListingSellerInput(publicKey: Uint8Array, ctx: ListingSealContext, input: SellerInput) {
  return seal(publicKey, listingBinding(ctx), input, sellerInputSchema);
}
/** Opens a listing's seller input; a deal's sealed input never opens here (other tag). */
export function openListingSellerInput(privateKey: Uint8Array, ctx: ListingSealContext, sealed: Uint8Array) {
  return open(privateKey, listingBinding(ctx), sealed, sellerInputSchema);
}
