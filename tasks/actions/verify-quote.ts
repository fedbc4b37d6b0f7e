/**
 * `verify-quote`: every check with its detail; `--json` prints the verdict as JSON. A bad
 * argument is a plain message (UsageError → user error), never a stack trace.
 */
import { runVerifyQuote } from "../../oracle/cli/verify-quote-command.ts";
import { asUserError } from "./user-error.ts";

interface Args {
  quote: string;
  collateral: string;
  rootCa: string;
  now: string;
  eventLog: string;
  simulatorKey: string;
  reportData: string;
  composeHash: string;
  json: boolean;
}

const opt = (s: string) => (s === "" ? undefined : s);

export default async function verifyQuoteTask(args: Args): Promise<void> {
  let verdict;
  try {
    verdict = runVerifyQuote({
      quote: args.quote,
      collateral: opt(args.collateral),
      rootCa: opt(args.rootCa),
      now: opt(args.now),
      eventLog: opt(args.eventLog),
      reportData: opt(args.reportData),
      composeHash: opt(args.composeHash),
      simulatorKeys: args.simulatorKey === "" ? [] : args.simulatorKey.split(","),
    });
  } catch (e) {
    throw asUserError(e);
  }
  if (args.json) console.log(JSON.stringify(verdict, null, 2));
  else {
    console.log(
      `${verdict.ok ? "VALID" : "INVALID"} ${verdict.mode} quote · TCB ${verdict.tcbStatus ?? "?"} · measurement ${verdict.measurementId ?? "?"}`,
    );
    for (const c of verdict.checks) console.log(`  ${c.passed ? "✓" : "✗"} ${c.name}: ${c.detail}`);
    if (verdict.composeHash !== null)
      console.log(`  app ${verdict.appId} · compose hash ${verdict.composeHash}`);
  }
  if (!verdict.ok) {
    const failed = verdict.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
    console.error(`verify-quote: the quote failed verification — ${failed.join("; ")}`);
    process.exitCode = 1;
  }
}
