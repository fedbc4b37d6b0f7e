/**
 * GETting JSON from the oracle's HTTP API with no validation library: a timeout, the errors a
 * party can act on (`oracle_api.unreachable`, `oracle_api.refused`, `oracle_api.bad_answer`), and
 * the caller's shape check. oracle-api.ts checks with zod (the `dealproof` entry); oracle-health.ts
 * by hand, so the viem entry can check an oracle's /health without zod.
 */
import { DealProofError } from "./errors.ts";

const TIMEOUT_MS = 10_000;

export const join = (base: string, path: string) => `${base.replace(/\/+$/, "")}${path}`;

/** A check of an answer's shape: the value, or what is wrong (fields and rules, never values). */
export type AnswerCheck<T> = (body: unknown) => { ok: true; value: T } | { ok: false; issues: string };

/** GETs JSON from the oracle's API and checks its shape; every failure a DealProofError. */
export async function getCheckedJson<T>(
  url: string,
  check: AnswerCheck<T>,
  headers: Record<string, string> = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    // the URL without its query (which names the caller's address): the first thing to check
    const where = url.split("?")[0];
    throw new DealProofError(
      "oracle_api.unreachable",
      `cannot reach the oracle at ${where} (${(e as Error).message})`,
      {
        hint: "is the oracle running, and is the URL you passed for it right?",
        cause: e,
      },
    );
  }
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok)
    throw new DealProofError(
      "oracle_api.refused",
      `the oracle answered ${res.status}: ${body.error ?? res.statusText}`,
    );
  const parsed = check(body);
  if (!parsed.ok)
    throw new DealProofError(
      "oracle_api.bad_answer",
      `the oracle's answer to ${new URL(url, "http://x").pathname} is not what this client expects: ${parsed.issues}`,
      { hint: "check that the URL is a DealProof oracle of a compatible version" },
    );
  return parsed.value;
}
