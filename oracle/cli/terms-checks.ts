/**
 * verify-quote's view of a deal's published terms (DESIGN §10): re-derives termsHash as keccak256
 * of the terms' RFC 8785 canonical JSON (so a pretty-printed copy hashes the same), compares it
 * with the settled termsHash when given, and lists the data checks the terms bind — the buyer's
 * specification hash, the datasheet verdict and every check result as the seller's policy
 * rendered it. It reads only public data; the check definitions stay with the buyer (their hash
 * is what the terms bind).
 */
import { readFileSync } from "node:fs";
import canonicalizeModule from "canonicalize";
import { keccak256, toUtf8Bytes } from "ethers";
import { DealProofError } from "../../sdk/src/errors.ts";

const canonicalize = canonicalizeModule as unknown as (v: unknown) => string | undefined;

export interface TermsCheckSummary {
  termsHash: string;
  /** Null when no expected hash was given. */
  termsHashMatches: boolean | null;
  agreed: boolean | null;
  reasonCode: string | null;
  specHash: string | null;
  datasheetVerified: boolean | null;
  results: { id: string; required: boolean; status: string; value?: number; reason?: string }[];
}

export function summariseTerms(termsText: string, expectedTermsHash?: string): TermsCheckSummary {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(termsText) as Record<string, unknown>;
  } catch {
    throw new DealProofError("terms.bad_input", "the terms file is not JSON", {
      hint: "give the deal's terms JSON as the oracle published it (GET /deals/<id>)",
    });
  }
  const canonical = canonicalize(doc);
  if (canonical === undefined || typeof doc !== "object" || doc === null)
    throw new DealProofError("terms.bad_input", "the terms file is not a JSON object", {
      hint: "give the deal's terms JSON as the oracle published it (GET /deals/<id>)",
    });
  const termsHash = keccak256(toUtf8Bytes(canonical));
  const facts = (doc.dataFacts ?? null) as { checks?: Record<string, unknown> } | null;
  const c = (facts?.checks ?? null) as {
    specHash?: string | null;
    datasheet?: { verified: boolean; results: TermsCheckSummary["results"] } | null;
    results?: TermsCheckSummary["results"];
  } | null;
  const pick = (r: TermsCheckSummary["results"][number]) => ({
    id: r.id,
    required: r.required,
    status: r.status,
    ...(r.value === undefined ? {} : { value: r.value }),
    ...(r.reason === undefined ? {} : { reason: r.reason }),
  });
  return {
    termsHash,
    termsHashMatches: expectedTermsHash === undefined ? null : expectedTermsHash.toLowerCase() === termsHash,
    agreed: typeof doc.agreed === "boolean" ? doc.agreed : null,
    reasonCode: typeof doc.reasonCode === "string" ? doc.reasonCode : null,
    specHash: c?.specHash ?? null,
    datasheetVerified: c?.datasheet?.verified ?? null,
    results: [...(c?.datasheet?.results ?? []), ...(c?.results ?? [])].map(pick),
  };
}

export function readTermsFile(file: string, expectedTermsHash?: string): TermsCheckSummary {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new DealProofError("terms.bad_input", `--terms ${file}: ${(e as Error).message}`, {
      hint: "give the path of the deal's terms JSON",
    });
  }
  return summariseTerms(text, expectedTermsHash);
}
