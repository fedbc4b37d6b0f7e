#!/usr/bin/env node
/** CLI: `npm run verify-quote -- <quote|file> [options]` — see --help. */
import { parseArgs } from "node:util";
import { runVerifyQuote, UsageError } from "./verify-quote-command.ts";
import { formatDealProofError, isDealProofError } from "../../sdk/src/errors.ts";
import { readTermsFile } from "./terms-checks.ts";

const HELP = `Usage: verify-quote <quote> [options]

<quote> is hex, a file holding hex or the raw bytes, or a dstack GetQuote JSON response
(its event_log is used). Prints a JSON verdict; exits 1 when any check fails, 2 on bad usage.

Options:
  --collateral <file>       DCAP collateral JSON (dcap-qvl shape): verify through the whole chain
  --root-ca <file>          root CA (DER or PEM) the chain must lead to, instead of Intel's
                            (the simulator's: npx hardhat tee:simulator-pki writes it)
  --now <iso|seconds>       verification time (collateral has a validity window)
  --event-log <file>        dstack event log JSON, to replay RTMR3 (app id, compose hash)
  --report-data <hex>       expected report_data (≤ 64 bytes, zero-padded)
  --compose-hash <hex>      expected app compose hash (32 bytes)
  --simulator-key <hex>     trusted simulator attestation key (x‖y, 64 bytes); repeatable
  --accept-tcb <status>     accepted TCB status (default UpToDate); repeatable
  --terms <file>            the deal's published terms JSON: re-derive termsHash and show the
                            data checks it binds (spec hash, datasheet verdict, every result)
  --terms-hash <hex>        the settled termsHash the re-derived one must equal
  -h, --help`;

export function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        collateral: { type: "string" },
        "root-ca": { type: "string" },
        now: { type: "string" },
        "event-log": { type: "string" },
        "report-data": { type: "string" },
        "compose-hash": { type: "string" },
        "simulator-key": { type: "string", multiple: true },
        "accept-tcb": { type: "string", multiple: true },
        terms: { type: "string" },
        "terms-hash": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    console.error(`verify-quote: ${(e as Error).message}\nhint: see the usage below\n\n${HELP}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  if (v.help === true) {
    console.log(HELP);
    return 0;
  }
  const quote = positionals[0];
  if (quote === undefined || positionals.length > 1) {
    console.error(`verify-quote: give exactly one quote\nhint: see the usage below\n\n${HELP}`);
    return 2;
  }
  try {
    const verdict = runVerifyQuote({
      quote,
      collateral: v.collateral,
      rootCa: v["root-ca"],
      now: v.now,
      eventLog: v["event-log"],
      reportData: v["report-data"],
      composeHash: v["compose-hash"],
      simulatorKeys: v["simulator-key"],
      acceptTcb: v["accept-tcb"],
    });
    if (v.terms === undefined) {
      console.log(JSON.stringify(verdict, null, 2));
      return verdict.ok ? 0 : 1;
    }
    const terms = readTermsFile(v.terms, v["terms-hash"]);
    if (terms.termsHashMatches !== null)
      verdict.checks.push({
        name: "terms hash",
        passed: terms.termsHashMatches,
        detail: `keccak256 of the terms' canonical JSON is ${terms.termsHash}`,
      });
    for (const r of terms.results)
      verdict.checks.push({
        name: `data check ${r.id}${r.required ? " (required)" : ""}`,
        passed: r.status === "pass",
        detail: `${r.status}${r.value === undefined ? "" : ` ${r.value}`}${r.reason === undefined ? "" : ` (${r.reason})`}`,
      });
    const ok = verdict.ok && terms.termsHashMatches !== false;
    console.log(JSON.stringify({ ...verdict, ok, terms }, null, 2));
    return ok ? 0 : 1;
  } catch (e) {
    // expected failures print their message and hint (exit 2 for bad usage); a bug shows its stack
    if (!isDealProofError(e)) throw e;
    console.error(`verify-quote: ${formatDealProofError(e)}`);
    return e instanceof UsageError ? 2 : 1;
  }
}

if (process.argv[1] === import.meta.filename) process.exitCode = main(process.argv.slice(2));
