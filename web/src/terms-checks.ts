/**
 * The data checks a settled deal's terms bind (DESIGN §10), read for the deal page: the terms
 * hash recomputed here from the published terms (keccak256 of their RFC 8785 canonical JSON, with
 * the SDK's canonicaliser) and compared with the termsHash settled on-chain, the buyer's
 * specification hash, the datasheet verdict and every check result as the seller's policy
 * rendered it, and, for a no-deal, the reason code that names the failed check. The terms are
 * checked with zod before any field is shown. It imports the SDK by path so it is unit-tested
 * under Node too (test/web/terms-checks.test.ts).
 */
import { z } from "zod";
import { keccak256, toUtf8Bytes } from "ethers";
import { canonicalSpecJson } from "../../sdk/src/checks.ts";
import { badInput } from "./bad-input.ts";

const resultSchema = z.looseObject({
  id: z.string(),
  kind: z.string(),
  required: z.boolean(),
  status: z.enum(["pass", "fail", "refused"]),
  value: z.number().optional(),
  reason: z.string().optional(),
});
export type ResultRow = z.infer<typeof resultSchema>;

const reportSchema = z.looseObject({
  specHash: z.string().nullable(),
  policy: z.looseObject({ results: z.string(), precision: z.number() }),
  datasheet: z.looseObject({ verified: z.boolean(), results: z.array(resultSchema) }).nullable(),
  results: z.array(resultSchema),
});

const termsSchema = z.looseObject({
  agreed: z.boolean(),
  reason: z.string().optional(),
  reasonCode: z.string().optional(),
  dataFacts: z.looseObject({ checks: reportSchema.optional() }).nullable(),
});

export interface TermsChecks {
  /** keccak256 of the terms' canonical JSON, recomputed in this browser. */
  termsHash: string;
  /** Whether it equals the termsHash DealSettled recorded. */
  matches: boolean;
  agreed: boolean;
  /** The check that ended the deal (a no-deal whose reason code names a check or a claim). */
  failedBy: { id: string; what: "check" | "claim" } | null;
  reason: string | null;
  /** Null when the deal ran no checks and no datasheet. */
  report: z.infer<typeof reportSchema> | null;
}

/** The terms' checks, or a plain error if the terms are not of the shape the oracle publishes. */
export function termsChecks(terms: unknown, settledTermsHash: string): TermsChecks {
  const parsed = termsSchema.safeParse(terms);
  if (!parsed.success)
    throw badInput(
      "the deal's terms are not of the shape this page knows",
      "report the deal id to the oracle's operator",
    );
  const t = parsed.data;
  const termsHash = keccak256(toUtf8Bytes(canonicalSpecJson(terms)));
  const report = t.dataFacts?.checks ?? null;
  const code = t.reasonCode ?? "";
  const check = /^check\.(failed|refused):(.+)$/.exec(code);
  const claim = report?.datasheet?.results.find((r) => r.id === code && r.status !== "pass");
  return {
    termsHash,
    matches: termsHash === settledTermsHash.toLowerCase(),
    agreed: t.agreed,
    failedBy:
      t.agreed || report === null
        ? null
        : check !== null
          ? { id: check[2]!, what: "check" }
          : claim !== undefined
            ? { id: claim.id, what: "claim" }
            : null,
    reason: t.reason ?? null,
    report,
  };
}
