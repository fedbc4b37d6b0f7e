#!/usr/bin/env node
/** The oracle daemon's entry point (`npm run oracle`, which loads `.env` if present; the CVM image's CMD). */
import { loadConfig } from "./config.ts";
import { startOracle } from "./app.ts";
import { preflight } from "./preflight.ts";

let cfg;
try {
  cfg = loadConfig();
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
// Configuration mistakes end here with one plain line, not a stack trace after minutes of retries.
const oracle = await preflight(cfg)
  .then(() => startOracle(cfg))
  .catch((e: unknown) => {
    console.error(`oracle: ${(e as Error).message}`);
    process.exit(2);
  });
let stopping = false;
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    oracle.logger.info({ signal: sig }, "shutting down: finishing in-flight deals");
    oracle.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        oracle.logger.error({ err: (e as Error).message }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}
