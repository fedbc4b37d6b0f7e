import { runVerifyQuote } from "../../oracle/cli/verify-quote-command.ts";

interface Args {
  quote: string;
  collateral: string;
  rootCa: string;
  now: string;
  eventLog: string;
  simulatorKey: string;
  reportData: string;
  composeHash: string;
}

const opt = (s: string) => (s === "" ? undefined : s);

export default async function verifyQuoteTask(args: Args): Promise<void> {
  const verdict = runVerifyQuote({
    quote: args.quote,
    collateral: opt(args.collateral),
    rootCa: opt(args.rootCa),
    now: opt(args.now),
    eventLog: opt(args.eventLog),
    reportData: opt(args.reportData),
    composeHash: opt(args.composeHash),
    simulatorKeys: args.simulatorKey === "" ? [] : args.simulatorKey.split(","),
  });
  console.log(JSON.stringify(verdict, null, 2));
  if (!verdict.ok) {
    const failed = verdict.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
    console.error(`verify-quote: the quote failed verification — ${failed.join("; ")}`);
    process.exitCode = 1;
  }
}
