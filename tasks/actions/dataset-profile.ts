/**
 * `dataset:profile FILE`: what the enclave will compute, locally — the same locked engine
 * (oracle/checks) loads the file, profiles it as the policy allows and runs the given checks, so a
 * seller sees its profile and a buyer tries its checks before any deal.
 */
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { DATASET_FORMATS, type DatasetFormat } from "../../sdk/src/checks.ts";
import { runCheckStage, withDealTmpDir } from "../../oracle/checks/stage.ts";
import { readCheckSpecFile, readPolicyFile } from "./checks-file.ts";
import { userError } from "./user-error.ts";

interface Args {
  path: string;
  format: string;
  checks: string;
  policy: string;
  json: boolean;
}

export default async function datasetProfile(a: Args): Promise<void> {
  if (a.format !== "" && !(DATASET_FORMATS as readonly string[]).includes(a.format))
    throw userError(`--format must be one of ${DATASET_FORMATS.join(", ")}`);
  const spec = a.checks === "" ? undefined : readCheckSpecFile(a.checks);
  const policy = a.policy === "" ? undefined : readPolicyFile(a.policy);
  const started = Date.now();
  const r = await withDealTmpDir(async (dir) => {
    // the engine reads a private copy, as in the enclave
    const dataPath = join(dir, "data");
    try {
      copyFileSync(a.path, dataPath);
    } catch {
      throw userError(`cannot read ${a.path}`, { code: "task.cannot_read", hint: "check the file's path" });
    }
    return runCheckStage({
      dataPath,
      tmpDir: dir,
      ...(a.format === "" ? {} : { format: a.format as DatasetFormat }),
      ...(spec === undefined ? {} : { spec }),
      ...(policy === undefined ? {} : { policy }),
    });
  });
  const out = { ...r.report, verdict: r.verdict, seconds: (Date.now() - started) / 1000 };
  if (a.json) {
    console.log(JSON.stringify(out));
    return;
  }
  if (!r.verdict.ok && r.report.profile === undefined)
    throw userError(`the engine refused the dataset: ${r.verdict.reason}`, {
      code: "task.bad_dataset",
      hint: "fix the file or state its --format",
    });
  const p = r.report.profile!;
  const lines = [`${p.rowCount} rows, ${p.columns.length} columns`];
  for (const c of p.columns)
    lines.push(`  ${c.name}: ${c.type}${c.nullFraction === undefined ? "" : `, null ${c.nullFraction}`}`);
  for (const x of r.report.results)
    lines.push(
      `check ${x.id}${x.required ? " (required)" : ""}: ${x.status}${x.value === undefined ? "" : ` ${x.value}`}${x.reason === undefined ? "" : ` (${x.reason})`}`,
    );
  if (spec !== undefined)
    lines.push(r.verdict.ok ? "verdict: the deal would go on" : `verdict: no deal (${r.verdict.code})`);
  console.log(lines.join("\n"));
}
