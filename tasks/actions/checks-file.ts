/** Reads a check specification or a disclosure policy file for a task, refusing a bad one with what to fix. */
import { readFileSync } from "node:fs";
import {
  disclosurePolicySchema,
  parseCheckSpec,
  type CheckSpec,
  type DisclosurePolicyInput,
} from "../../sdk/src/checks.ts";
import { describeIssues } from "../../sdk/src/zod-issues.ts";
import { userError } from "./user-error.ts";

function readText(option: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw userError(`${option} ${path} cannot be read`, {
      code: "task.cannot_read",
      hint: "check the file's path",
    });
  }
}

export function readCheckSpecFile(path: string): CheckSpec {
  const text = readText("--checks", path);
  try {
    return parseCheckSpec(text);
  } catch (e) {
    throw userError(`--checks ${path}: ${(e as Error).message}`, { code: "task.bad_checks", cause: e });
  }
}

export function readPolicyFile(path: string): DisclosurePolicyInput {
  const text = readText("--policy", path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw userError(`--policy ${path} is not JSON`, {
      hint: 'write it as {"maxChecks":16,...} (docs/data.md)',
    });
  }
  const r = disclosurePolicySchema.safeParse(value);
  if (!r.success)
    throw userError(`--policy ${path} is invalid: ${describeIssues(r.error)}`, {
      hint: "fix the named fields (docs/data.md)",
    });
  return r.data;
}
