#!/usr/bin/env node
/** The oracle daemon's entry point (`npm run oracle`, which loads `.env` if present; the CVM image's CMD). */
import { loadConfig } from "./config.ts";
import { startOracle } from "./app.ts";
import { preflight } from "./preflight.ts";
import { formatDealProofError, isDealProofError } from "../../sdk/src/errors.ts";

/** An expected failure prints its message and hint, never a stack; anything else prints its stack. */
function exitWith(e: unknown, status: number): never {
  console.error(isDealProofError(e) ? `oracle: ${formatDealProofError(e)}` : e);
  process.exit(status);
}

let cfg;
try {
  cfg = loadConfig();
} catch (e) {
  exitWith(e, 2);
}
// Configuration mistakes (no deployment file, a dead or wrong RPC, no contract) end here with a
// plain message and hint within seconds, naming the RPC by its origin only, never a stack trace.
let oracle;
try {
  await preflight(cfg);
  oracle = await startOracle(cfg);
} catch (e) {
  exitWith(e, 1);
}
/** SIGTERM must end the process within 5 s (container stop); in-flight work resumes on restart. */
const STOP_DEADLINE_MS = 4500;
let stopping = false;
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    oracle.logger.info({ signal: sig }, "shutting down: finishing in-flight deals");
    setTimeout(() => {
      oracle.logger.warn("shutdown deadline reached; exiting (work resumes from the store)");
      process.exit(0);
    }, STOP_DEADLINE_MS).unref();
    oracle.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        oracle.logger.error({ err: (e as Error).message }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}
