/**
 * The verified-listing record (DESIGN.md §11): what the oracle found when it verified a listing
 * version once — its verdict, the dataset layout, the profile the seller's policy allows, the
 * datasheet's results and the seller's DKIM domain — as canonical JSON (RFC 8785, the same
 * canonicaliser as the check specification's hash), its keccak256 `recordHash`, and the EIP-712
 * `VerifiedListing(listingId, version, dataRoot, recordHash, verifiedAt)` digest in DealProof's
 * domain that the enclave signer signs. `verifyVerifiedListing` is what a dapp or the SDK runs on
 * an oracle's answer: the record's hash, the digest and the signer, browser-safe (ethers and zod
 * only). The record is public: it never holds a floor, a posted-price secret, a budget, sample rows
 * or the seller's email, only what the listing's buyers may see.
 */
import { TypedDataEncoder, getAddress, keccak256, recoverAddress, toUtf8Bytes } from "ethers";
import { z } from "zod";
import { canonicalSpecJson } from "./checks.ts";
import { DealProofError } from "./errors.ts";
import type { Eip712Domain, Hex } from "./eip712.ts";

/** What verifying a listing version found; anything but `verified` ends its deals no-deal `listing.<verdict>`. */
export const LISTING_VERDICTS = [
  "verified",
  "datasheet-failed",
  "data-unavailable",
  "identity-failed",
  "unopenable",
] as const;
export type ListingVerdict = (typeof LISTING_VERDICTS)[number];

export const VERIFIED_LISTING_TYPES = {
  VerifiedListing: [
    { name: "listingId", type: "uint256" },
    { name: "version", type: "uint32" },
    { name: "dataRoot", type: "bytes32" },
    { name: "recordHash", type: "bytes32" },
    { name: "verifiedAt", type: "uint64" },
  ],
} as const;

const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/, "must be 0x + 64 lowercase hex digits");
const count = z.number().int().min(0);
const resultSchema = z.strictObject({
  id: z.string(),
  status: z.enum(["pass", "fail", "refused"]),
  reason: z.string().optional(),
});

export const verifiedListingRecordSchema = z.strictObject({
  v: z.literal(1),
  /** The listing id, 0x + 64 hex digits. */
  listingId: hex32,
  version: z
    .number()
    .int()
    .min(1)
    .max(2 ** 32 - 1),
  seller: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  dataRoot: hex32,
  verdict: z.enum(LISTING_VERDICTS),
  /** The stable code of what failed (`dataset.root_mismatch`, a datasheet claim id, …); null when verified. */
  code: z.string().nullable(),
  /** The layout the oracle verified (null when the data could not be read). */
  layout: z.strictObject({ chunkSize: count, chunkCount: count, byteSize: count }).nullable(),
  /** The profile the seller's disclosure policy allows (no sample rows: the record is public). */
  profile: z
    .strictObject({
      format: z.string(),
      records: count.optional(),
      columns: z
        .array(z.strictObject({ name: z.string(), type: z.string(), nullFraction: z.number().optional() }))
        .optional(),
    })
    .nullable(),
  datasheet: z.strictObject({ verified: z.boolean(), results: z.array(resultSchema) }).nullable(),
  /** The seller's domain as its DKIM-signed email proved it (domain null when none was given). */
  sellerIdentity: z.strictObject({ domain: z.string().nullable(), verified: z.boolean() }),
  /** Unix seconds (chain time) when the record was made. */
  verifiedAt: count,
});
export type VerifiedListingRecord = z.infer<typeof verifiedListingRecordSchema>;

/** A record with the enclave signer's signature over its digest, as `GET /listings/:id` serves it. */
export interface SignedVerifiedListing {
  record: VerifiedListingRecord;
  recordHash: Hex;
  /** 65-byte r ‖ s ‖ v over `verifiedListingDigest`. */
  signature: Hex;
  /** The signer that signed it. */
  signer: Hex;
}

export function canonicalRecordJson(record: VerifiedListingRecord): string {
  return canonicalSpecJson(record);
}

export function verifiedListingRecordHash(record: VerifiedListingRecord): Hex {
  return keccak256(toUtf8Bytes(canonicalRecordJson(record))) as Hex;
}

/** The EIP-712 `VerifiedListing` digest of a record in DealProof's domain. */
export function verifiedListingDigest(domain: Eip712Domain, record: VerifiedListingRecord): Hex {
  const types = { VerifiedListing: VERIFIED_LISTING_TYPES.VerifiedListing.map((f) => ({ ...f })) };
  return TypedDataEncoder.hash(domain, types, {
    listingId: BigInt(record.listingId),
    version: record.version,
    dataRoot: record.dataRoot,
    recordHash: verifiedListingRecordHash(record),
    verifiedAt: record.verifiedAt,
  }) as Hex;
}

export type VerifiedListingErrorCode = "invalid" | "hash_mismatch" | "bad_signature" | "wrong_signer";

/** A served record that does not verify: code `listing_record.<reason>`. */
export class VerifiedListingError extends DealProofError<`listing_record.${VerifiedListingErrorCode}`> {
  override name = "VerifiedListingError";
}

/**
 * Checks an oracle's signed record: its shape, that `recordHash` is the record's, and that the
 * signature over its digest in `domain` recovers to one of `trustedSigners` (the signers the
 * contract's registry trusts; read them with its `isTrustedSigner` view or the current oracle). Returns the
 * record; throws VerifiedListingError saying what does not hold.
 */
export function verifyVerifiedListing(
  signed: { record: unknown; recordHash?: string; signature: string },
  domain: Eip712Domain,
  trustedSigners: readonly string[],
): VerifiedListingRecord {
  const parsed = verifiedListingRecordSchema.safeParse(signed.record);
  if (!parsed.success)
    throw new VerifiedListingError("listing_record.invalid", "the verified-listing record is malformed", {
      hint: "fetch the record again from the oracle's GET /listings/:id; this answer was not an oracle record",
    });
  const record = parsed.data;
  const hash = verifiedListingRecordHash(record);
  if (signed.recordHash !== undefined && signed.recordHash.toLowerCase() !== hash)
    throw new VerifiedListingError(
      "listing_record.hash_mismatch",
      `the record hashes to ${hash}, not the ${signed.recordHash} served beside it`,
      { hint: "the record was altered after signing: do not trust it; fetch it again from the oracle" },
    );
  let signer: string;
  try {
    signer = recoverAddress(verifiedListingDigest(domain, record), signed.signature);
  } catch (e) {
    throw new VerifiedListingError("listing_record.bad_signature", "the record's signature cannot be read", {
      hint: "the signature must be 65 bytes (r ‖ s ‖ v) hex; fetch the record again from the oracle",
      cause: e,
    });
  }
  const trusted = trustedSigners.map((s) => getAddress(s));
  if (!trusted.includes(getAddress(signer)))
    throw new VerifiedListingError(
      "listing_record.wrong_signer",
      `the record is signed by ${signer}, which is not a trusted oracle signer of this contract`,
      {
        hint: "check the domain (chain id, contract) and the registry's trusted signers; do not trust this record",
      },
    );
  return record;
}
