/**
 * Further checks the buyer's agent asks for while it judges (the model agent's `query_data` tool;
 * DESIGN §10, issue 23). A query is ONE check in the SDK's check format (sdk/src/checks.ts: data,
 * never SQL), validated with zod, then refused or run exactly like a sealed check: the seller's
 * policy decides first (policyRefusal) against the SAME per-deal budget `maxChecks` the buyer's
 * sealed checks already used, then compile.ts plans it and run.ts runs it on the deal's open engine
 * and renders the result as the policy allows (pass/fail or rounded, minimum group size).
 * Every refusal — not a check, budget spent, outside the policy, unknown column, too small a group,
 * an engine fault — is an answer `{ refused: reason }` for the model, never an error for the
 * parties. A query is informative (`required: false`): it never ends a deal by itself; the agent
 * judges. Its answer goes only to the agent: it is in neither the terms nor the transcript.
 */
import { checkSchema, type CheckResult, type DisclosurePolicy } from "../../sdk/src/checks.ts";
import { describeIssues } from "../../sdk/src/zod-issues.ts";
import { EngineError, type Engine } from "./engine.ts";
import { policyRefusal, runChecks } from "./run.ts";

export type QueryAnswer = { result: CheckResult } | { refused: string };

export interface QueryRunnerOptions {
  engine: Engine;
  policy: DisclosurePolicy;
  /** The buyer's overlap salt, null without keys. */
  salt: string | null;
  /** Checks of the budget the sealed specification already used (budgetUsedBy). */
  used: number;
}

/** The runner the negotiation gets for this deal: one check in, one answer out. */
export function queryRunner(o: QueryRunnerOptions): (input: unknown) => Promise<QueryAnswer> {
  let used = o.used;
  let asked = 0;
  return async (input) => {
    asked += 1;
    const fields = typeof input === "object" && input !== null && !Array.isArray(input) ? input : {};
    const parsed = checkSchema.safeParse({ ...fields, id: `query-${asked}`, required: false });
    if (!parsed.success) return { refused: `check.invalid (${describeIssues(parsed.error)})` };
    const check = parsed.data;
    const why = policyRefusal(check, used, o.policy);
    if (why === "policy.too_many_checks") return { refused: why };
    used += 1; // every check the budget admits counts, whatever comes of it (as a sealed one does)
    if (why !== undefined) return { refused: why };
    try {
      const [result] = await runChecks(o.engine, [check], o.policy, o.salt);
      if (result === undefined || result.status === "refused")
        return { refused: result?.reason ?? "check.refused" };
      return { result };
    } catch (e) {
      if (e instanceof EngineError) return { refused: e.code };
      throw e;
    }
  };
}
