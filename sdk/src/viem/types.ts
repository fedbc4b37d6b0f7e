/**
 * The parties' private inputs as plain TypeScript types, for the viem entry: its declarations must
 * not reach zod (whose inferred types the `dealproof` entry's BuyerInput/SellerInput are), so a
 * viem dapp type-checks without zod installed. test/sdk/viem-inputs.test.ts checks that the zod
 * types are assignable to these.
 */

type AccessScope = "full" | "research-only" | "non-commercial" | "evaluation";
type WeiByScope = Partial<Record<AccessScope, string>>;

/** A buyer's data check (DESIGN §10); build them with `checks()` of the `dealproof` entry for every rule. */
export interface DataCheck {
  kind: string;
  [field: string]: unknown;
}

export interface BuyerInput {
  v: 1;
  /** The most it pays, in wei (decimal digits). Sealed: never public. */
  budgetWei: string;
  requirements: string;
  /** The buyer's X25519 delivery public key (32 bytes, 0x-hex). */
  deliveryPublicKey: string;
  /** true: the seller must prove a DKIM-verified domain; a domain: that one or a subdomain. */
  requireSellerDomain?: boolean | string;
  budgetByScopeWei?: WeiByScope;
  checks?: { v: 1; checks: readonly DataCheck[] };
  overlapKeys?: { salt: string; location: string; [field: string]: unknown };
}

export interface SellerInput {
  v: 1;
  /** The least it accepts, in wei (decimal digits). Sealed: never public. */
  floorWei: string;
  description: string;
  dataset: {
    location: string;
    /** The dataset key (32 bytes, 0x-hex): delivered to the buyer exactly when the seller is paid. */
    key: string;
    chunkSize: number;
    format?: "csv" | "jsonl" | "parquet";
  };
  datasheet?: Record<string, unknown>;
  policy?: Record<string, unknown>;
  /** A DKIM-signed email (.eml) in base64, proving the seller's domain. */
  email?: string;
  floorByScopeWei?: WeiByScope;
  postedPriceWei?: string;
}
