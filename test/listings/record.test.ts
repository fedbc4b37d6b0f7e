/**
 * The verified-listing record: built from findings (public facts only, never a sample row), signed
 * over its EIP-712 VerifiedListing digest in DealProof's domain, and checked by the SDK's verifier,
 * which refuses an altered record, a foreign domain, an untrusted signer and a malformed answer.
 */
import { expect } from "chai";
import { Wallet, getBytes, hexlify } from "ethers";
import { buildRecord, signRecord, type VerificationFindings } from "../../oracle/listings/record.ts";
import {
  canonicalRecordJson,
  verifiedListingDigest,
  verifiedListingRecordHash,
  verifyVerifiedListing,
} from "../../sdk/src/verified-listing.ts";
import { dealProofDomain, type Hex } from "../../sdk/src/eip712.ts";
import { isDealProofError } from "../../sdk/src/errors.ts";

const wallet = Wallet.createRandom();
const signer = {
  address: wallet.address as Hex,
  signDigest: (d: string) => wallet.signingKey.sign(d).serialized as Hex,
};
const domain = dealProofDomain(31337n, "0x" + "ab".repeat(20));
const ref = { listingId: 7n, version: 2, seller: "0x" + "12".repeat(20), dataRoot: "0x" + "CD".repeat(32) };
const found: VerificationFindings = {
  verdict: "verified",
  code: null,
  facts: {
    sizeBytes: 1000,
    chunkCount: 1,
    chunkSize: 65536,
    format: "csv",
    records: 10,
    columns: [{ name: "a", type: "integer", nullFraction: 0 }],
    samples: [{ a: 1 }],
  },
  datasheet: {
    verified: true,
    results: [{ id: "datasheet.row_count", kind: "rowCount", required: true, status: "pass", value: 10 }],
  },
  sellerIdentity: { domain: "acme.test", verified: true },
};

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isDealProofError(e)) return e.code;
    throw e;
  }
  return "none";
}

describe("listings: the verified-listing record", () => {
  it("holds the public facts only: layout, profile without samples, datasheet results, DKIM domain", () => {
    const r = buildRecord(ref, found, 1_700_000_000);
    expect(r.listingId).to.equal("0x" + "0".repeat(63) + "7");
    expect(r.dataRoot).to.equal("0x" + "cd".repeat(32));
    expect(r.layout).to.deep.equal({ chunkSize: 65536, chunkCount: 1, byteSize: 1000 });
    expect(r.profile).to.deep.equal({
      format: "csv",
      records: 10,
      columns: [{ name: "a", type: "integer", nullFraction: 0 }],
    });
    expect(canonicalRecordJson(r)).to.not.include("samples");
    expect(r.datasheet!.results[0]).to.deep.equal({ id: "datasheet.row_count", status: "pass" });
    expect(r.sellerIdentity).to.deep.equal({ domain: "acme.test", verified: true });
  });

  it("its canonical JSON sorts keys, so its hash does not depend on field order", () => {
    const r = buildRecord(ref, found, 5);
    const shuffled = Object.fromEntries(Object.entries(r).reverse()) as typeof r;
    expect(verifiedListingRecordHash(shuffled)).to.equal(verifiedListingRecordHash(r));
    expect(canonicalRecordJson(r).startsWith('{"code":null,"dataRoot":')).to.equal(true);
  });

  it("is signed by the enclave signer and verifies against the trusted signers in the domain", () => {
    const signed = signRecord(buildRecord(ref, found, 5), domain, signer);
    expect(signed.signer).to.equal(wallet.address);
    const back = verifyVerifiedListing(JSON.parse(JSON.stringify(signed)), domain, [
      wallet.address.toLowerCase(),
    ]);
    expect(back.verdict).to.equal("verified");
  });

  it("a changed field, another domain or another signer does not verify", () => {
    const signed = signRecord(buildRecord(ref, found, 5), domain, signer);
    const altered = { ...signed, record: { ...signed.record, verdict: "datasheet-failed" } };
    expect(code(() => verifyVerifiedListing(altered, domain, [wallet.address]))).to.equal(
      "listing_record.hash_mismatch",
    );
    // without the served hash, the signature no longer recovers to the signer
    const { recordHash: _, ...bare } = altered;
    expect(code(() => verifyVerifiedListing(bare, domain, [wallet.address]))).to.equal(
      "listing_record.wrong_signer",
    );
    const other = dealProofDomain(1n, domain.verifyingContract);
    expect(code(() => verifyVerifiedListing(signed, other, [wallet.address]))).to.equal(
      "listing_record.wrong_signer",
    );
    expect(code(() => verifyVerifiedListing(signed, domain, [Wallet.createRandom().address]))).to.equal(
      "listing_record.wrong_signer",
    );
    expect(
      code(() => verifyVerifiedListing({ ...signed, signature: "0x1234" }, domain, [wallet.address])),
    ).to.equal("listing_record.bad_signature");
    expect(
      code(() => verifyVerifiedListing({ ...signed, record: { v: 2 } }, domain, [wallet.address])),
    ).to.equal("listing_record.invalid");
  });

  it("the digest binds listing id, version, root, record hash and time", () => {
    const r = buildRecord(ref, found, 5);
    const d = verifiedListingDigest(domain, r);
    for (const change of [{ version: 3 }, { listingId: "0x" + "0".repeat(63) + "8" }, { verifiedAt: 6 }]) {
      expect(verifiedListingDigest(domain, { ...r, ...change })).to.not.equal(d);
    }
    expect(hexlify(getBytes(d))).to.have.length(66);
  });
});
