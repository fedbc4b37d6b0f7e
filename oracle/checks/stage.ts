/**
 * The check stage of one deal (DESIGN §10): on the plaintext file the verified fetch wrote into
 * the deal's private tmp dir, open the locked engine, verify the seller's datasheet claims, run
 * the buyer's checks under the seller's policy, and return the report the terms bind plus the
 * verdict — go on, or no-deal with a reason code naming the false claim (`datasheet.<claim>`),
 * the failing required check (`check.failed:<id>`), the refused required check
 * (`check.refused:<id>`), or the engine fault the dataset caused (`engine.*`: a hostile dataset is
 * the seller's fault). With neither checks nor a datasheet the stage runs the profile only: it is
 * what the agents learn about the data. Invariant: the plaintext exists only inside its deal's
 * private directory (mode 0700, openDealTmpDir / withDealTmpDir), which is removed when the stage
 * ends, whatever the way it ends — or, when the buyer's agent may query the data (`keepOpen`), when
 * the caller releases the open engine after the negotiation; a directory a crash left behind
 * (SIGKILL, power loss) is removed by sweepPlaintextRoot when the daemon next starts, before it
 * serves.
 */
import { mkdtemp, mkdir, open, readdir, rm, writeFile, chmod } from "node:fs/promises";
import { createWriteStream, type WriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  checkSpecHash,
  effectivePolicy,
  MAX_OVERLAP_KEYS,
  type CheckReport,
  type CheckResult,
  type CheckSpec,
  type DatasetFormat,
  type Datasheet,
  type DisclosurePolicyInput,
} from "../../sdk/src/checks.ts";
import { DealProofError } from "../../sdk/src/errors.ts";
import { EngineError, openEngine } from "./engine.ts";
import type { EngineLimits } from "./protocol.ts";
import { budgetUsedBy, datasheetChecks, policyRefusals, runChecks } from "./run.ts";
import { profileDataset } from "./profile.ts";
import { queryRunner, type QueryAnswer } from "./query.ts";

/** The name every per-deal plaintext directory starts with (what the sweep removes). */
const DEAL_DIR_PREFIX = "dealproof-checks-";

/** A fresh directory only this process can read, and its removal. */
export async function openDealTmpDir(
  parent = tmpdir(),
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(parent, DEAL_DIR_PREFIX));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await chmod(dir, 0o700);
  } catch (e) {
    await remove();
    throw e;
  }
  return { dir, remove };
}

/** Runs `work` with a fresh directory only this process can read, removed afterwards. */
export async function withDealTmpDir<T>(work: (dir: string) => Promise<T>, parent = tmpdir()): Promise<T> {
  const { dir, remove } = await openDealTmpDir(parent);
  try {
    return await work(dir);
  } finally {
    await remove();
  }
}

/**
 * Makes the daemon's plaintext root `root` (mode 0700; chmod fails unless this process owns it)
 * and removes every per-deal directory left in it — only a crash leaves one, since the stage
 * removes its own. Returns how many were removed; nothing of their content is read.
 */
export async function sweepPlaintextRoot(root: string): Promise<number> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  await chmod(root, 0o700);
  const left = (await readdir(root)).filter((n) => n.startsWith(DEAL_DIR_PREFIX));
  for (const n of left) await rm(join(root, n), { recursive: true, force: true });
  return left.length;
}

/** A sink for the verified fetch: appends plaintext to `path` (mode 0600), honouring backpressure. */
export function fileSink(path: string): { write: (b: Buffer) => Promise<void>; close: () => Promise<void> } {
  const ws: WriteStream = createWriteStream(path, { mode: 0o600 });
  return {
    write: async (b) => {
      if (!ws.write(b)) await new Promise<void>((r) => ws.once("drain", () => r()));
    },
    close: async () => {
      ws.end();
      await finished(ws);
    },
  };
}

/** Overlap key bytes (32-byte digests, concatenated) → one lowercase hex key per line. */
export function overlapKeySink(path: string) {
  const out = fileSink(path);
  let carry = Buffer.alloc(0);
  let count = 0;
  return {
    write: async (b: Buffer) => {
      const all = carry.length === 0 ? b : Buffer.concat([carry, b]);
      const whole = all.length - (all.length % 32);
      count += whole / 32;
      if (count > MAX_OVERLAP_KEYS)
        throw new DealProofError(
          "checks.bad_overlap_keys",
          `the buyer's key file holds more than ${MAX_OVERLAP_KEYS} keys`,
          {
            hint: `send at most ${MAX_OVERLAP_KEYS} keys`,
          },
        );
      const lines: string[] = [];
      for (let i = 0; i < whole; i += 32) lines.push(all.subarray(i, i + 32).toString("hex"));
      if (lines.length > 0) await out.write(Buffer.from(`${lines.join("\n")}\n`));
      carry = Buffer.from(all.subarray(whole));
    },
    close: async () => {
      await out.close();
      if (carry.length !== 0)
        throw new DealProofError(
          "checks.bad_overlap_keys",
          "the buyer's key file is not a whole number of 32-byte keys",
          {
            hint: "write the keys as concatenated 32-byte sha256 digests (overlapKey in the SDK)",
          },
        );
      if (count === 0) await writeFile(path, "");
    },
  };
}

/** The format a plaintext file is in: stated, or inferred (Parquet magic, a leading `{`, else CSV). */
async function inferFormat(path: string, stated?: DatasetFormat): Promise<DatasetFormat> {
  if (stated !== undefined) return stated;
  const fh = await open(path, "r");
  try {
    const head = Buffer.alloc(256);
    const { bytesRead } = await fh.read(head, 0, 256, 0);
    const h = head.subarray(0, bytesRead);
    if (h.subarray(0, 4).toString("latin1") === "PAR1") return "parquet";
    return h.toString("latin1").trimStart().startsWith("{") ? "jsonl" : "csv";
  } finally {
    await fh.close();
  }
}

export interface CheckStageInput {
  dataPath: string;
  tmpDir: string;
  format?: DatasetFormat;
  spec?: CheckSpec;
  datasheet?: Datasheet;
  policy?: DisclosurePolicyInput;
  overlap?: { salt: string; keysPath: string };
  limits?: Partial<EngineLimits>;
  /**
   * Keep the engine open after a passing stage for the buyer's agent's queries (query.ts): the
   * result then carries `queries`, and its `close()` is the caller's to call.
   */
  keepOpen?: boolean;
}

export type CheckVerdict = { ok: true } | { ok: false; code: string; reason: string };

export interface CheckStageResult {
  report: CheckReport;
  verdict: CheckVerdict;
  /** The format the engine read the file in (stated, or inferred from its first bytes). */
  format: DatasetFormat;
  /** With `keepOpen` and a passing verdict: the deal's query runner, until `close()`. */
  queries?: { run: (check: unknown) => Promise<QueryAnswer>; close: () => void };
}

function verdictOf(datasheet: CheckResult[], results: CheckResult[]): CheckVerdict {
  const falseClaim = datasheet.find((r) => r.status !== "pass");
  if (falseClaim !== undefined)
    return {
      ok: false,
      code: falseClaim.id,
      reason: `the seller's datasheet claim ${falseClaim.id} is false${falseClaim.reason === undefined ? "" : ` (${falseClaim.reason})`}`,
    };
  const failed = results.find((r) => r.required && r.status === "fail");
  if (failed !== undefined)
    return {
      ok: false,
      code: `check.failed:${failed.id}`,
      reason: `the buyer's required check ${failed.id} failed`,
    };
  const refused = results.find((r) => r.required && r.status === "refused");
  if (refused !== undefined)
    return {
      ok: false,
      code: `check.refused:${refused.id}`,
      reason: `the buyer's required check ${refused.id} was refused (${refused.reason ?? "refused"})`,
    };
  return { ok: true };
}

/** Runs the stage; engine faults become a no-deal verdict, never an exception. */
export async function runCheckStage(i: CheckStageInput): Promise<CheckStageResult> {
  const policy = effectivePolicy(i.policy);
  const report: CheckReport = {
    specHash: i.spec === undefined ? null : checkSpecHash(i.spec),
    policy,
    datasheet: null,
    results: [],
  };
  // DESIGN §10: the policy decides refusals before any result exists
  const refused = i.spec === undefined ? new Map<string, string>() : policyRefusals(i.spec, policy);
  const format = await inferFormat(i.dataPath, i.format);
  let engine;
  try {
    engine = await openEngine({
      dataPath: i.dataPath,
      format,
      keysPath: i.overlap?.keysPath ?? null,
      tmpDir: i.tmpDir,
      ...(i.limits === undefined ? {} : { limits: i.limits }),
    });
  } catch (e) {
    if (e instanceof EngineError)
      return { report, format, verdict: { ok: false, code: e.code, reason: e.message } };
    throw e;
  }
  let kept = false;
  try {
    report.profile = await profileDataset(engine, policy);
    const sheet =
      i.datasheet === undefined ? [] : await runChecks(engine, datasheetChecks(i.datasheet), null, null);
    if (i.datasheet !== undefined)
      report.datasheet = { verified: sheet.every((r) => r.status === "pass"), results: sheet };
    const salt = i.overlap?.salt ?? null;
    if (i.spec !== undefined) report.results = await runChecks(engine, i.spec.checks, policy, salt, refused);
    const verdict = verdictOf(sheet, report.results);
    if (i.keepOpen !== true || !verdict.ok) return { report, format, verdict };
    kept = true;
    const run = queryRunner({ engine, policy, salt, used: budgetUsedBy(i.spec, policy) });
    return { report, format, verdict, queries: { run, close: () => engine.close() } };
  } catch (e) {
    if (e instanceof EngineError)
      return { report, format, verdict: { ok: false, code: e.code, reason: e.message } };
    throw e;
  } finally {
    if (!kept) engine.close();
  }
}
