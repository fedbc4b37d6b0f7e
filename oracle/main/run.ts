/**
 * Runs an oracle as a process: reads the configuration, checks the chain (preflight), starts it
 * and stops it within the container's deadline on SIGTERM/SIGINT. Both entries use it: main.ts
 * (production, dstack) and oracle/simulator/main.ts (local, simulated TEE). Expected failures
 * (DealProofErrors) end with their message and hint and exit 2 (configuration) or 1 (start), never
 * a stack trace; anything else prints its stack.
 */
import { loadConfig, type OracleConfig } from "../daemon/config.ts";
import { preflight } from "../daemon/preflight.ts";
import type { RunningOracle } from "./app.ts";
import { findDealProofError, formatDealProofError } from "../../sdk/src/errors.ts";

/** An expected failure prints its message and hint, never a stack; anything else prints its stack. */
function exitWith(e: unknown, status: number): never {
  const expected = findDealProofError(e); // ours, or ours wrapped by a library
  console.error(expected === undefined ? e : `oracle: ${formatDealProofError(expected)}`);
  process.exit(status);
}

/** SIGTERM must end the process within 5 s (container stop); in-flight work resumes on restart. */
const STOP_DEADLINE_MS = 4500;

export async function runOracleProcess(
  start: (cfg: OracleConfig) => Promise<RunningOracle>,
  /** Refuses a configuration this entry cannot run (throws), before anything touches the network. */
  accept: (cfg: OracleConfig) => void = () => {},
): Promise<void> {
  let cfg;
  try {
    cfg = loadConfig();
    accept(cfg);
  } catch (e) {
    exitWith(e, 2);
  }
  // Configuration mistakes (no deployment file, a dead or wrong RPC, no contract) end here with a
  // plain message and hint within seconds, naming the RPC by its origin only, never a stack trace.
  let oracle: RunningOracle;
  try {
    await preflight(cfg);
    oracle = await start(cfg);
  } catch (e) {
    exitWith(e, 1);
  }
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
}
