/**
 * Verifying one listing version once (DESIGN.md §11): open its sealed seller input (listing
 * context), fetch the dataset into the cache (the fill decrypts and checks the Merkle root as it
 * streams), check the published layout against what was verified, run the seller's datasheet
 * claims and profile under its disclosure policy in the locked check engine (the same stage deals
 * use, oracle/checks/stage.ts), verify the seller's DKIM email, and say what was found. Every
 * failure is a verdict, never an exception: unopenable, data-unavailable (the data cannot be
 * fetched in `fetchAttempts`, or is not the committed data), datasheet-failed (a false claim, a
 * layout that is not the published one, a dataset the engine cannot read while claims are made),
 * identity-failed (an email given that does not verify). The opened input lives only in this
 * function's memory; the engine's scratch dir is removed when it returns.
 */
import { openWithKeyring, type Keyring } from "../tee/keyring.ts";
import { getBytes } from "ethers";
import { openListingSellerInput, SealedInputError, type SellerInput } from "../../sdk/src/inputs.ts";
import { isDealProofError } from "../../sdk/src/errors.ts";
import type { SourceOptions } from "../data/source.ts";
import { dataFacts } from "../checks/profile.ts";
import { openDealTmpDir, runCheckStage } from "../checks/stage.ts";
import type { EngineLimits } from "../checks/protocol.ts";
import { verifySellerEmail, type SellerIdentity } from "../dkim/verify.ts";
import type { DnsResolver } from "../dkim/resolver.ts";
import { classifyFailure } from "../chain/retry.ts";
import { fetchFill, type ListingCache, type CachedDataset } from "./cache.ts";
import type { VerificationFindings } from "./record.ts";

/** What a ListingPublished event says of the version to verify. */
export interface PublishedListing {
  listingId: bigint;
  version: number;
  seller: string;
  dataRoot: string;
  /** The public layout (ListingTerms). */
  chunkSize: number;
  chunkCount: number;
  byteSize: number;
  sealedSellerInput: string;
}

export interface VerifyDeps {
  chainId: bigint;
  contract: string;
  /** The oracle's HPKE keys, current epoch first (tee/keyring.ts). */
  keyring: Keyring;
  cache: ListingCache;
  fetch: SourceOptions & { minBytesPerSec?: number };
  resolver: DnsResolver;
  limits?: Partial<EngineLimits>;
  tmpParent?: string;
  /** Tries at fetching the data (or reaching DNS) before the verdict is final (default 3). */
  attempts?: number;
  /** Wait between tries (default 1000 ms). */
  retryDelayMs?: number;
}

type Verdict = Omit<VerificationFindings, "facts" | "datasheet" | "sellerIdentity"> &
  Partial<Pick<VerificationFindings, "facts" | "datasheet" | "sellerIdentity">>;

const NO_IDENTITY = { domain: null, verified: false };

function findings(v: Verdict): VerificationFindings {
  return { facts: null, datasheet: null, sellerIdentity: NO_IDENTITY, ...v };
}

/** Opens the listing's sealed input, or undefined when it does not open for this listing. */
async function openListingInput(
  l: Pick<PublishedListing, "listingId" | "sealedSellerInput">,
  d: Pick<VerifyDeps, "chainId" | "contract" | "keyring">,
): Promise<SellerInput | SealedInputError> {
  try {
    const ctx = { chainId: d.chainId, contract: d.contract, listingId: l.listingId };
    const sealed = getBytes(l.sealedSellerInput);
    // every key epoch still in the ring: a listing sealed before a rotation still opens (§12)
    return (await openWithKeyring(d.keyring, (k) => openListingSellerInput(k, ctx, sealed))).value;
  } catch (e) {
    if (e instanceof SealedInputError) return e;
    throw e;
  }
}

/** The dataset's verified plaintext through the cache, trying a failing fetch `attempts` times. */
async function cachedDataset(
  seller: SellerInput,
  owner: string,
  dataRoot: string,
  d: Pick<VerifyDeps, "cache" | "fetch" | "attempts" | "retryDelayMs">,
): Promise<CachedDataset> {
  const attempts = d.attempts ?? 3;
  for (let i = 1; ; i++) {
    try {
      return await d.cache.acquire(dataRoot, fetchFill(seller.dataset, dataRoot, d.fetch), owner);
    } catch (e) {
      if (i >= attempts || classifyFailure(e).kind !== "dataset" || d.fetch.signal?.aborted === true) throw e;
      await new Promise((r) => setTimeout(r, d.retryDelayMs ?? 1000));
    }
  }
}

async function identityOf(seller: SellerInput, d: VerifyDeps): Promise<SellerIdentity | undefined> {
  if (seller.email === undefined) return undefined;
  const attempts = d.attempts ?? 3;
  for (let i = 1; ; i++) {
    const id = await verifySellerEmail(Buffer.from(seller.email, "base64"), { resolver: d.resolver });
    if (!id.dnsUnavailable || i >= attempts) return id;
    await new Promise((r) => setTimeout(r, d.retryDelayMs ?? 1000));
  }
}

/** Verifies `l` and says what was found; never throws for a party's fault or an unreachable source. */
export async function verifyListing(l: PublishedListing, d: VerifyDeps): Promise<VerificationFindings> {
  const seller = await openListingInput(l, d);
  if (seller instanceof SealedInputError) return findings({ verdict: "unopenable", code: seller.code });
  if (seller.dataset.chunkSize !== l.chunkSize)
    return findings({ verdict: "datasheet-failed", code: "listing.layout_mismatch" });

  let data: CachedDataset;
  try {
    data = await cachedDataset(seller, l.seller, l.dataRoot, d);
  } catch (e) {
    if (d.fetch.signal?.aborted === true) throw e; // shutting down: verified again after the restart
    return findings({
      verdict: "data-unavailable",
      code: isDealProofError(e) ? e.code : "internal",
    });
  }
  const { dir, remove } = await openDealTmpDir(d.tmpParent);
  try {
    const v = data.verified;
    if (v.size !== l.byteSize || v.chunkCount !== l.chunkCount || v.chunkSize !== l.chunkSize)
      return findings({ verdict: "datasheet-failed", code: "listing.layout_mismatch" });
    const stage = await runCheckStage({
      dataPath: data.path,
      tmpDir: dir,
      ...(seller.dataset.format === undefined ? {} : { format: seller.dataset.format }),
      ...(seller.datasheet === undefined ? {} : { datasheet: seller.datasheet }),
      ...(seller.policy === undefined ? {} : { policy: seller.policy }),
      ...(d.limits === undefined ? {} : { limits: d.limits }),
    });
    const profiled =
      stage.report.profile === undefined ? null : { format: stage.format, profile: stage.report.profile };
    const facts = dataFacts(v, profiled);
    const datasheet = stage.report.datasheet;
    // without claims a file the engine cannot read is "binary" and still sells (as in a deal)
    if (!stage.verdict.ok && seller.datasheet !== undefined)
      return findings({ verdict: "datasheet-failed", code: stage.verdict.code, facts, datasheet });
    const identity = await identityOf(seller, d);
    const sellerIdentity =
      identity === undefined ? NO_IDENTITY : { domain: identity.domain, verified: identity.verified };
    if (identity !== undefined && !identity.verified)
      return findings({
        verdict: "identity-failed",
        code: `dkim.${identity.code ?? "signature-invalid"}`,
        facts,
        datasheet,
        sellerIdentity,
      });
    return findings({ verdict: "verified", code: null, facts, datasheet, sellerIdentity });
  } finally {
    await remove();
    await data.release();
  }
}
