/**
 * Canonical outputs whose hashes go on-chain (DESIGN.md §3): the terms JSON and the transcript
 * JSON, serialised with RFC 8785 (JSON Canonicalization Scheme, the `canonicalize` package) and
 * hashed with keccak256 over the UTF-8 bytes. The parties read the terms, so their data facts
 * are the released ones: no sample row (the dataRoot already commits to every byte).
 */
import canonicalizeModule from "canonicalize";
import { keccak256, toUtf8Bytes } from "ethers";
import type { Hex } from "../../sdk/src/eip712.ts";
import type { Terms, TranscriptEntry } from "./types.ts";
import { TRANSCRIPT_LABEL } from "./mechanism.ts";
import { releasedFacts } from "./data-text-guard.ts";

const canonicalize = canonicalizeModule as unknown as (v: unknown) => string | undefined;

const ENGINE_VERSION = "dealproof-negotiation/2";

function canonicalJson(value: unknown): string {
  const s = canonicalize(value);
  if (s === undefined) throw new Error("value cannot be canonicalised");
  return s;
}

const hashJson = (json: string): Hex => keccak256(toUtf8Bytes(json)) as Hex;

interface AgentDescriptor {
  kind: string;
  name: string;
  model?: string;
}

export interface TermsDocument {
  v: 1;
  dealId: string;
  agreed: boolean;
  priceWei: string;
  terms: Terms | null;
  agents: { buyer: AgentDescriptor; seller: AgentDescriptor } | null;
  policyHash: Hex | null;
  sellerIdentity: { domain: string | null; verified: boolean } | null;
  dataFacts: Readonly<Record<string, unknown>> | null;
  /** The seller email's DKIM result ("pass", "fail", "none", "unavailable") and failure code. */
  sellerDkim?: { result: string; reasonCode: string | null };
  /** How the price was set, in one sentence (mechanism.ts). */
  priceRule?: string;
  /** What the transcript is: the agents' positions as the enclave renders them once the price is set. */
  transcriptIs?: string;
  reason?: string;
  /** A machine-readable code for a "no deal" that no agent decided (e.g. "agent-unavailable"). */
  reasonCode?: string;
  /**
   * Added by the daemon when it binds the outcome (oracle/daemon/config-digest.ts): the attested
   * configuration's digest, and the replica that served the deal (its signer and instance id).
   */
  configDigest?: Hex;
  oracle?: { signer: Hex; instanceId: Hex };
}

/** The terms' JSON and hash; the data facts as released (no sample row: the parties read the terms). */
export function termsOutput(doc: TermsDocument): { termsJson: string; termsHash: Hex } {
  const termsJson = canonicalJson({ ...doc, dataFacts: doc.dataFacts && releasedFacts(doc.dataFacts) });
  return { termsJson, termsHash: hashJson(termsJson) };
}

/** The transcript JSON; a negotiated one says what it is and how the price was set. */
export function transcriptOutput(dealId: bigint, entries: readonly TranscriptEntry[], priceRule?: string) {
  const transcriptJson = canonicalJson({
    v: 1,
    dealId: dealId.toString(),
    ...(priceRule === undefined ? {} : { priceRule, transcriptIs: TRANSCRIPT_LABEL }),
    entries,
  });
  return { transcriptJson, transcriptHash: hashJson(transcriptJson) };
}

export function policyHash(
  buyer: Record<string, unknown>,
  seller: Record<string, unknown>,
  engine: Record<string, unknown>,
): Hex {
  return hashJson(canonicalJson({ engine: ENGINE_VERSION, ...engine, buyer, seller }));
}

/**
 * Outputs for a deal settled as "no deal" before any negotiation (bad inputs): the reason is
 * recorded in the terms JSON, and the transcript is empty.
 */
export function noDealTerms(args: {
  dealId: bigint;
  reason: string;
  sellerIdentity?: { domain: string | null; verified: boolean } | null;
  dataFacts?: Readonly<Record<string, unknown>> | null;
  reasonCode?: string;
  sellerDkim?: { result: string; reasonCode: string | null };
}) {
  return {
    ...termsOutput({
      v: 1,
      dealId: args.dealId.toString(),
      agreed: false,
      priceWei: "0",
      terms: null,
      agents: null,
      policyHash: null,
      sellerIdentity: args.sellerIdentity ?? null,
      dataFacts: args.dataFacts ?? null,
      ...(args.sellerDkim === undefined ? {} : { sellerDkim: args.sellerDkim }),
      reason: args.reason,
      ...(args.reasonCode === undefined ? {} : { reasonCode: args.reasonCode }),
    }),
    ...transcriptOutput(args.dealId, []),
  };
}
