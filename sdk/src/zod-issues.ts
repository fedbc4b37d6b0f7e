/**
 * Zod issues in one line for an error message: `path: rule; …`. It names the fields and the rules
 * that failed, never the values, which may be private (a party's budget, a key).
 */
import type { z } from "zod";

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(input)"}: ${i.message}`).join("; ");
}
