/**
 * The pipeline's "verify the dataset, then profile and check it" step, for every deal (DESIGN
 * §8, §10). One pass over the fetched bytes decrypts, verifies the Merkle root and writes the
 * plaintext into the deal's private tmp dir; the engine reads that file only after the root
 * verified (fetchAndVerifyDataset throws before returning otherwise). What the agents learn about
 * the data (DataFacts) is the engine's profile under the seller's policy; with the buyer's checks
 * or the seller's datasheet the check report goes beside it. A file the engine cannot read is
 * "binary" for a deal without checks (it still negotiates) and keeps its engine.* verdict
 * otherwise. The buyer's overlap keys are fetched and verified the same way. The tmp dir — all
 * plaintext — is removed when the step ends, however it ends; with `hold`, after a passing stage,
 * it and the open engine are kept for the buyer's agent's queries until the caller releases them.
 * Fetch failures propagate as DatasetError for the pipeline's usual handling; everything else
 * that is a party's fault becomes a verdict.
 */
import { join } from "node:path";
import type { BuyerInput, SellerInput } from "../../sdk/src/inputs.ts";
import { isDealProofError } from "../../sdk/src/errors.ts";
import { checkSpecHash, effectivePolicy, type CheckReport } from "../../sdk/src/checks.ts";
import { dataFacts, type DataFacts } from "../checks/profile.ts";
import { fetchAndVerifyDataset, type VerifiedDataset } from "../data/dataset.ts";
import type { SourceOptions } from "../data/source.ts";
import { DatasetError } from "../../sdk/src/dataset-error.ts";
import {
  fileSink,
  openDealTmpDir,
  overlapKeySink,
  runCheckStage,
  type CheckVerdict,
} from "../checks/stage.ts";
import type { EngineLimits } from "../checks/protocol.ts";
import type { QueryAnswer } from "../checks/query.ts";
import { fetchFill, type CachedDataset, type ListingCache } from "../listings/cache.ts";

export interface CheckStepOptions {
  fetch: SourceOptions & { minBytesPerSec?: number };
  limits?: Partial<EngineLimits>;
  /** Where the per-deal tmp dirs are made (default: the OS tmp dir; in the CVM its encrypted disk). */
  tmpParent?: string;
  /**
   * Keeps the engine and the plaintext for the buyer's agent's queries after a passing stage: it
   * is handed the release (close the engine, remove the tmp dir), which the caller must call.
   */
  hold?: (release: () => Promise<void>) => void;
  /**
   * A listing deal's plaintext cache (DESIGN §11): the verified plaintext is read from it (fetched
   * and verified into it on a miss) instead of into the deal's tmp dir.
   */
  cache?: ListingCache;
  /** The listing's seller, whose share of the cache the plaintext counts against. */
  cacheOwner?: string;
}

export interface CheckStepResult {
  verified: VerifiedDataset;
  /**
   * What the agents see of the data and the terms bind: the facts from the profile and, for a
   * deal with checks or a datasheet, the check report (its profile is the facts' own).
   */
  facts: DataFacts & { checks?: CheckReport };
  verdict: CheckVerdict;
  /** What the agents see of the results (the negotiation's `evidence`); only with checks or a datasheet. */
  evidence?: {
    checks: { id: string; required: boolean; passed: boolean; value?: number }[];
    datasheetVerified: boolean;
  };
  /** With `hold`: one further check under the policy and its budget, for the buyer's agent. */
  queryData?: (check: unknown) => Promise<QueryAnswer>;
}

/** Whether this deal runs checks (the buyer's or the datasheet's) beside the profile. */
function wantsChecks(buyer: BuyerInput, seller: SellerInput): boolean {
  return buyer.checks !== undefined || seller.datasheet !== undefined;
}

async function sinkInto<T>(
  sink: { write: (b: Buffer) => Promise<void>; close: () => Promise<void> },
  work: (write: (b: Buffer) => Promise<void>) => Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await work(sink.write);
  } finally {
    await sink.close().catch(() => undefined);
  }
  return result;
}

export async function verifyAndCheck(
  buyer: BuyerInput,
  seller: SellerInput,
  dataRoot: string,
  o: CheckStepOptions,
): Promise<CheckStepResult> {
  const tmp = await openDealTmpDir(o.tmpParent);
  const dir = tmp.dir;
  let cached: CachedDataset | undefined;
  const remove = async () => {
    await tmp.remove();
    await cached?.release();
  };
  let held = false;
  try {
    let dataPath = join(dir, "data");
    let verified: VerifiedDataset;
    if (o.cache !== undefined) {
      cached = await o.cache.acquire(dataRoot, fetchFill(seller.dataset, dataRoot, o.fetch), o.cacheOwner);
      ({ path: dataPath, verified } = cached);
    } else
      verified = await sinkInto(fileSink(dataPath), (write) =>
        fetchAndVerifyDataset(seller.dataset, dataRoot, { ...o.fetch, sink: write }),
      );
    let overlap: { salt: string; keysPath: string } | undefined;
    const ok = buyer.overlapKeys;
    if (ok !== undefined) {
      const keysPath = join(dir, "keys.csv");
      try {
        const keys = overlapKeySink(keysPath);
        await fetchAndVerifyDataset(ok, ok.root, { ...o.fetch, sink: keys.write });
        await keys.close();
      } catch (e) {
        if (e instanceof DatasetError && e.code === "dataset.fetch_failed") throw e;
        const code = isDealProofError(e) ? e.code : "checks.bad_overlap_keys";
        return refusedKeys(verified, buyer, seller, code);
      }
      overlap = { salt: ok.salt, keysPath };
    }
    const { report, verdict, format, queries } = await runCheckStage({
      dataPath,
      tmpDir: dir,
      ...(seller.dataset.format === undefined ? {} : { format: seller.dataset.format }),
      ...(buyer.checks === undefined ? {} : { spec: buyer.checks }),
      ...(seller.datasheet === undefined ? {} : { datasheet: seller.datasheet }),
      ...(seller.policy === undefined ? {} : { policy: seller.policy }),
      ...(overlap === undefined ? {} : { overlap }),
      ...(o.limits === undefined ? {} : { limits: o.limits }),
      keepOpen: o.hold !== undefined,
    });
    if (queries !== undefined && o.hold !== undefined) {
      held = true;
      o.hold(async () => {
        queries.close();
        await remove();
      });
    }
    const queryData = queries === undefined ? {} : { queryData: queries.run };
    if (!wantsChecks(buyer, seller)) {
      // profile only: a file the engine cannot read is "binary", and the deal still negotiates
      const profiled =
        verdict.ok && report.profile !== undefined ? { format, profile: report.profile } : null;
      return { verified, facts: dataFacts(verified, profiled), verdict: { ok: true }, ...queryData };
    }
    const { profile, ...checkReport } = report;
    return {
      verified,
      facts: {
        ...dataFacts(verified, profile === undefined ? null : { format, profile }),
        checks: checkReport,
      },
      verdict,
      ...queryData,
      evidence: {
        checks: report.results.map((r) => ({
          id: r.id,
          required: r.required,
          passed: r.status === "pass",
          ...(r.value === undefined ? {} : { value: r.value }),
        })),
        datasheetVerified: report.datasheet?.verified ?? false,
      },
    };
  } finally {
    if (!held) await remove();
  }
}

function refusedKeys(
  verified: VerifiedDataset,
  buyer: BuyerInput,
  seller: SellerInput,
  code: string,
): CheckStepResult {
  return {
    verified,
    facts: {
      ...dataFacts(verified, null),
      checks: {
        specHash: buyer.checks === undefined ? null : checkSpecHash(buyer.checks),
        policy: effectivePolicy(seller.policy),
        datasheet: null,
        results: [],
      },
    },
    verdict: {
      ok: false,
      code: "checks.bad_overlap_keys",
      reason: `the buyer's overlap key file was refused (${code})`,
    },
    evidence: { checks: [], datasheetVerified: false },
  };
}
