/**
 * The oracle's side of the verified-listing record (DESIGN.md §11, sdk/src/verified-listing.ts):
 * builds the public record of one listing version from what verification found and signs its
 * EIP-712 `VerifiedListing` digest in DealProof's domain with the enclave signer. The record format,
 * its canonical JSON, its hash and the verifier are the SDK's, so the dapp checks exactly what the
 * oracle signed. Only public facts enter a record (see the SDK module); sample rows never do.
 */
import {
  verifiedListingDigest,
  verifiedListingRecordHash,
  verifiedListingRecordSchema,
  type ListingVerdict,
  type SignedVerifiedListing,
  type VerifiedListingRecord,
} from "../../sdk/src/verified-listing.ts";
import type { Eip712Domain, Hex } from "../../sdk/src/eip712.ts";
import type { DataFacts } from "../checks/profile.ts";
import type { CheckReport } from "../../sdk/src/checks.ts";

/** Which listing version a record is about (as the ListingPublished event names it). */
export interface ListingVersionRef {
  listingId: bigint;
  version: number;
  seller: string;
  dataRoot: string;
}

/** What verification found (verify.ts). */
export interface VerificationFindings {
  verdict: ListingVerdict;
  code: string | null;
  facts: DataFacts | null;
  datasheet: CheckReport["datasheet"];
  sellerIdentity: { domain: string | null; verified: boolean };
}

const hex32 = (v: bigint | string) =>
  `0x${(typeof v === "bigint" ? v.toString(16) : v.slice(2)).toLowerCase().padStart(64, "0")}`;

/** The public record of `ref` from `found`, made at chain time `verifiedAt`. */
export function buildRecord(
  ref: ListingVersionRef,
  found: VerificationFindings,
  verifiedAt: number,
): VerifiedListingRecord {
  const f = found.facts;
  return verifiedListingRecordSchema.parse({
    v: 1,
    listingId: hex32(ref.listingId),
    version: ref.version,
    seller: ref.seller,
    dataRoot: hex32(ref.dataRoot),
    verdict: found.verdict,
    code: found.code,
    layout: f === null ? null : { chunkSize: f.chunkSize, chunkCount: f.chunkCount, byteSize: f.sizeBytes },
    // the record is public: the profile's counts and types, never a sample row
    profile:
      f === null
        ? null
        : {
            format: f.format,
            ...(f.records === undefined ? {} : { records: f.records }),
            ...(f.columns === undefined ? {} : { columns: f.columns }),
          },
    datasheet:
      found.datasheet === null
        ? null
        : {
            verified: found.datasheet.verified,
            results: found.datasheet.results.map((r) => ({
              id: r.id,
              status: r.status,
              ...(r.reason === undefined ? {} : { reason: r.reason }),
            })),
          },
    sellerIdentity: found.sellerIdentity,
    verifiedAt,
  });
}

/** Signs `record` with the enclave signer (`signDigest`: the oracle identity's). */
export function signRecord(
  record: VerifiedListingRecord,
  domain: Eip712Domain,
  signer: { address: Hex; signDigest(digest: string): Hex },
): SignedVerifiedListing {
  return {
    record,
    recordHash: verifiedListingRecordHash(record),
    signature: signer.signDigest(verifiedListingDigest(domain, record)),
    signer: signer.address,
  };
}
