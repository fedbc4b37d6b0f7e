/**
 * One deal's work, from sealed inputs to the outcome to settle: open inputs → fetch and verify
 * the dataset → verify the seller's email → negotiate → seal the key to the buyer. Bad inputs
 * give a "no deal" outcome with the reason, so the buyer is refunded at once. Private inputs
 * live only in this function's memory. The dataset fetch runs under the deal's budget (location
 * policy, idle timeout, time budget, byte cap); a dataset error that classifyFailure
 * (chain/retry.ts) calls a refusal gives "no deal", any other (a fetch that failed) is thrown on,
 * and the daemon decides when the deal has used up its attempts or its time.
 * A deal created against a listing (DESIGN §11) opens the seller input of the version it was
 * bought under (listing context), waits until that version's record is built, ends no deal
 * `listing.<verdict>` when the record is not `verified`, reads the verified plaintext from the
 * listings' cache (no second download), prices a posted listing at its public price (agreed
 * exactly when the buyer's required checks pass and its budget covers it), and its terms name
 * the listing (`listing: {id, version, mode}`).
 */
import { getBytes, hexlify } from "ethers";
import { DealProofError } from "../../sdk/src/errors.ts";
import {
  openBuyerInput,
  openListingSellerInput,
  openSellerInput,
  SealedInputError,
  type SellerInput,
} from "../../sdk/src/inputs.ts";
import { DatasetError } from "../../sdk/src/dataset-error.ts";
import { sealDelivery } from "../../sdk/src/delivery.ts";
import { dkimSummary, verifySellerEmail, type SellerIdentity } from "../dkim/verify.ts";
import type { DnsResolver } from "../dkim/resolver.ts";
import type { LocationPolicy } from "../data/location-policy.ts";
import { negotiate, noDealTerms, type Agent, type TranscriptEntry } from "../negotiation/index.ts";
import { AgentUnavailableError } from "../negotiation/types.ts";
import { dealSeed } from "../negotiation/random.ts";
import type { DealId, DealRow, StoredOutcome } from "./store.ts";
import { listingReasonCode, storedCode } from "./reason-codes.ts";
import type { ListingCache } from "../listings/cache.ts";
import type { ListingRow } from "./listing-store.ts";
import { bindTermsFields } from "./config-digest.ts";
import { verifyAndCheck, type CheckStepResult } from "./check-step.ts";
import type { EngineLimits } from "../checks/protocol.ts";
import { classifyFailure } from "../chain/retry.ts";
import { openWithKeyring, type Keyring } from "../tee/keyring.ts";

export type Step =
  "open_inputs" | "verify_dataset" | "verify_email" | "negotiate" | "outcome_built" | "submitted" | "settled";

export interface PipelineDeps {
  chainId: bigint;
  contract: string;
  /** The HPKE keys held, current epoch first (oracle/tee/keyring.ts). */
  keyring: Keyring;
  resolver: DnsResolver;
  agents: () => { buyer: Agent; seller: Agent };
  maxRounds: number;
  maxDatasetBytes: number;
  /** The per-deal fetch budget. */
  fetch: {
    policy: LocationPolicy;
    /** No byte for this long ends the fetch. */
    idleTimeoutMs: number;
    /** Time for the fetch before the size is known; extended by size / minBytesPerSec. */
    budgetMs: number;
    minBytesPerSec: number;
  };
  /** The check engine's limits and where its per-deal tmp dirs go (DESIGN §10; defaults: engine.ts). */
  checks?: { limits?: Partial<EngineLimits>; tmpParent?: string };
  /** Aborts work in flight (shutdown). */
  signal?: AbortSignal;
  /** Test hook: called as each step starts; throwing simulates a crash there. */
  onStep?: (step: Step, dealId: DealId) => void | Promise<void>;
  onMove?: (dealId: DealId, entry: TranscriptEntry) => void;
  /** Listing deals (DESIGN §11): the listing versions the store holds, and the plaintext cache. */
  listings?: { get: (listingId: bigint, version: number) => ListingRow | undefined; cache: ListingCache };
}

/** Time kept between the end of a negotiation and the deal's deadline, for settlement inclusion. */
export const NEGOTIATION_DEADLINE_MARGIN_MS = 120_000;

/** DNS does not answer for the seller's DKIM key while the buyer requires a verified seller. */
export class DnsUnavailableError extends DealProofError<"dns.unavailable"> {
  override name = "DnsUnavailableError";
  constructor() {
    super(
      "dns.unavailable",
      "DNS unreachable for the seller's DKIM key, and the buyer requires a verified seller",
      { hint: "nothing to do: the oracle retries the deal until DNS answers or the deal runs out of time" },
    );
  }
}

/** A listing deal whose listing version has no record yet: it waits (chain/retry.ts "waiting"). */
class ListingNotVerifiedError extends DealProofError<"listing.not_verified_yet"> {
  override name = "ListingNotVerifiedError";
  constructor() {
    super("listing.not_verified_yet", "the deal's listing version is not verified yet", {
      hint: "nothing to do: the oracle verifies each listing once and then works its deals",
    });
  }
}

/** A "no deal" outcome for `deal` with `reason` (which starts with its reason code). */
export function noDeal(
  deal: DealRow,
  reason: string,
  identity: SellerIdentity | null = null,
  facts: CheckStepResult["facts"] | null = null,
  reasonCode?: string,
): StoredOutcome {
  const t = noDealTerms({
    dealId: deal.id,
    reason,
    sellerIdentity: identity && { domain: identity.domain, verified: identity.verified },
    dataFacts: facts,
    ...(identity === null ? {} : { sellerDkim: dkimSummary(identity) }),
    ...(reasonCode === undefined ? {} : { reasonCode }),
  });
  return {
    settlement: {
      dealId: deal.id,
      agreed: false,
      price: "0",
      termsHash: t.termsHash,
      dataRoot: deal.data_root,
      transcriptHash: t.transcriptHash,
      delivery: "0x",
    },
    termsJson: t.termsJson,
    transcriptJson: t.transcriptJson,
    reason,
  };
}

/** A sealed per-scope price map (decimal wei strings) as bigints. */
const bigints = (m: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(m).flatMap(([k, v]) => (v === undefined ? [] : [[k, BigInt(v)]])));

export async function buildOutcome(deal: DealRow, deps: PipelineDeps): Promise<StoredOutcome> {
  // the check engine and the plaintext stay open for the buyer's agent's queries until here
  const held: (() => Promise<void>)[] = [];
  try {
    const listing = listingOfDeal(deal, deps);
    const outcome = await outcomeOf(deal, deps, (release) => held.push(release), listing);
    if (listing === undefined) return outcome;
    const { row } = listing;
    return bindTermsFields(outcome, {
      listing: {
        id: `0x${row.listing_id.toString(16).padStart(64, "0")}`,
        version: row.version,
        mode: row.terms.mode,
      },
    });
  } finally {
    for (const release of held) await release();
  }
}

interface DealListing {
  row: ListingRow;
  cache: ListingCache;
}

/** The listing version a listing deal was bought under; undefined for a direct deal. */
function listingOfDeal(deal: DealRow, deps: PipelineDeps): DealListing | undefined {
  if (deal.listing_id === null || deal.listing_id === undefined) return undefined;
  const row = deps.listings?.get(deal.listing_id, deal.listing_version ?? 0);
  if (row === undefined || deps.listings === undefined) throw new ListingNotVerifiedError();
  return { row, cache: deps.listings.cache };
}

/** The seller's input: a listing's (listing context, its public price ruling) or the deal's own. */
async function sellerInputOf(
  deal: DealRow,
  deps: PipelineDeps,
  listing: DealListing | undefined,
): Promise<SellerInput> {
  const sealed = getBytes(deal.sealed_seller ?? "0x");
  if (listing === undefined)
    return (
      await openWithKeyring(deps.keyring, (k) =>
        openSellerInput(k, { chainId: deps.chainId, contract: deps.contract, dealId: deal.id }, sealed),
      )
    ).value;
  const { row } = listing;
  // a listing sealed under a previous key epoch still opens while that epoch is in the ring (§12)
  const opened: SellerInput = (
    await openWithKeyring(deps.keyring, (k) =>
      openListingSellerInput(
        k,
        { chainId: deps.chainId, contract: deps.contract, listingId: row.listing_id },
        sealed,
      ),
    )
  ).value;
  const { postedPriceWei: _, ...rest } = opened;
  // posted: the listing's public price; negotiated: within the sealed floor, whatever else the input says
  return row.terms.mode === "posted" ? { ...rest, postedPriceWei: row.terms.postedPrice } : rest;
}

async function outcomeOf(
  deal: DealRow,
  deps: PipelineDeps,
  hold: (release: () => Promise<void>) => void,
  listing: DealListing | undefined,
): Promise<StoredOutcome> {
  const ctx = { chainId: deps.chainId, contract: deps.contract, dealId: deal.id };
  if (listing !== undefined) {
    const signed = listing.row.record;
    if (signed === null) throw new ListingNotVerifiedError();
    const verdict = signed.record.verdict;
    if (verdict !== "verified") {
      const code = listingReasonCode(verdict);
      return noDeal(
        deal,
        `${code}: the listing's verified-listing record says ${verdict} (${signed.record.code ?? "no code"})`,
        null,
        null,
        code,
      );
    }
  }
  await deps.onStep?.("open_inputs", deal.id);
  let buyer, seller, dealKey;
  try {
    const b = await openWithKeyring(deps.keyring, (k) => openBuyerInput(k, ctx, getBytes(deal.sealed_buyer)));
    buyer = b.value;
    dealKey = b.key.privateKey;
    seller = await sellerInputOf(deal, deps, listing);
  } catch (e) {
    if (e instanceof SealedInputError)
      return noDeal(deal, `sealed input refused (${storedCode(e.code)}): ${e.message}`);
    throw e;
  }

  await deps.onStep?.("verify_dataset", deal.id);
  let checked: CheckStepResult;
  const fetchOptions = {
    maxBytes: deps.maxDatasetBytes,
    policy: deps.fetch.policy,
    timeoutMs: deps.fetch.idleTimeoutMs,
    budgetMs: deps.fetch.budgetMs,
    minBytesPerSec: deps.fetch.minBytesPerSec,
    signal: deps.signal,
  };
  try {
    // DESIGN §10: one pass decrypts, verifies the root and writes the plaintext the engine profiles
    checked = await verifyAndCheck(buyer, seller, deal.data_root, {
      fetch: fetchOptions,
      ...deps.checks,
      hold,
      ...(listing === undefined ? {} : { cache: listing.cache, cacheOwner: deal.seller }),
    });
  } catch (e) {
    if (e instanceof DatasetError && classifyFailure(e).kind === "refusal")
      return noDeal(deal, `dataset refused (${storedCode(e.code)}): ${e.message}`);
    throw e;
  }

  // the facts the agents see and the terms bind: the engine's profile, with checks the report beside it
  const facts = checked.facts;
  if (!checked.verdict.ok)
    return noDeal(deal, `checks: ${checked.verdict.reason}`, null, facts, checked.verdict.code);

  await deps.onStep?.("verify_email", deal.id);
  let identity: SellerIdentity = {
    domain: null,
    verified: false,
    reason: "no email given",
    code: "no-email",
    dnsUnavailable: false,
  };
  if (seller.email !== undefined) {
    // The raw .eml exists only for this call and is dropped when it returns (DESIGN §6).
    identity = await verifySellerEmail(Buffer.from(seller.email, "base64"), { resolver: deps.resolver });
    if (identity.code === "malformed")
      return noDeal(deal, `seller email refused: ${identity.reason}`, identity, facts);
  }
  // DESIGN §8: a buyer may require a verified seller domain (or one domain and its subdomains).
  const required = buyer.requireSellerDomain;
  if (required !== undefined && required !== false) {
    if (identity.dnsUnavailable) throw new DnsUnavailableError();
    if (!identity.verified)
      return noDeal(
        deal,
        `the buyer requires a verified seller domain and the seller's DKIM proof failed (${identity.code ?? "signature-invalid"})`,
        identity,
        facts,
        "seller-domain-unverified",
      );
    const d = identity.domain ?? "";
    if (typeof required === "string" && d !== required && !d.endsWith(`.${required}`))
      return noDeal(
        deal,
        `the buyer requires the seller domain ${required}; the seller proved ${d}`,
        identity,
        facts,
        "seller-domain-mismatch",
      );
  }

  await deps.onStep?.("negotiate", deal.id);
  const negotiation = negotiate({
    dealId: deal.id,
    escrowWei: BigInt(deal.escrow),
    buyer: {
      budgetWei: BigInt(buyer.budgetWei),
      requirements: buyer.requirements,
      ...(buyer.budgetByScopeWei === undefined ? {} : { budgetByScopeWei: bigints(buyer.budgetByScopeWei) }),
    },
    seller: {
      floorWei: BigInt(seller.floorWei),
      description: seller.description,
      ...(seller.floorByScopeWei === undefined ? {} : { floorByScopeWei: bigints(seller.floorByScopeWei) }),
      ...(seller.postedPriceWei === undefined ? {} : { postedPriceWei: BigInt(seller.postedPriceWei) }),
    },
    facts,
    ...(checked.evidence === undefined ? {} : { evidence: checked.evidence }),
    ...(checked.queryData === undefined ? {} : { queryData: checked.queryData }),
    sellerIdentity: { domain: identity.verified ? identity.domain : null, verified: identity.verified },
    agents: deps.agents(),
    maxRounds: deps.maxRounds,
    onMove: (e) => deps.onMove?.(deal.id, e),
    // the deal's randomness from the secret its buyer sealed to: a re-run after a restart, by
    // another replica or after a key rotation draws the same path
    randomSeed: dealSeed(dealKey, ctx),
    // model faults stop being retried when the deal could no longer settle before its deadline
    notAfterMs: deal.deadline * 1000 - NEGOTIATION_DEADLINE_MARGIN_MS,
    sellerDkim: dkimSummary(identity),
  });
  let r: Awaited<typeof negotiation>;
  try {
    r = await negotiation;
  } catch (e) {
    // DESIGN §9: the model API failing is never a refusal; the deal closes with its reason code
    if (e instanceof AgentUnavailableError)
      return noDeal(deal, e.message, identity, facts, storedCode(e.code));
    throw e;
  }
  const delivery = r.agreed
    ? hexlify(
        await sealDelivery(
          getBytes(buyer.deliveryPublicKey),
          {
            v: 1,
            key: seller.dataset.key,
            location: seller.dataset.location,
            chunkSize: seller.dataset.chunkSize,
          },
          ctx,
        ),
      )
    : "0x";
  return {
    settlement: {
      dealId: deal.id,
      agreed: r.agreed,
      price: r.priceWei.toString(),
      termsHash: r.termsHash,
      dataRoot: deal.data_root,
      transcriptHash: r.transcriptHash,
      delivery,
    },
    termsJson: r.termsJson,
    transcriptJson: r.transcriptJson,
    reason: r.reason,
  };
}
