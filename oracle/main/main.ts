#!/usr/bin/env node
/**
 * The production entry point: the CVM image's CMD. It runs the oracle on dstack's TEE only; the
 * simulated TEE is not reachable from here (test/structure/layers.test.ts walks the imports) and is
 * not in the image. Local development runs oracle/simulator/main.ts (`npm run oracle`).
 */
import { DstackBackend } from "../tee/dstack.ts";
import { startOracle } from "./app.ts";
import { runOracleProcess } from "./run.ts";
import { DealProofError } from "../../sdk/src/errors.ts";

await runOracleProcess(
  (cfg) => startOracle(cfg, { tee: new DstackBackend(cfg.DSTACK_ENDPOINT) }),
  (cfg) => {
    if (process.env.DSTACK_SIMULATOR_ENDPOINT !== undefined && process.env.DSTACK_SIMULATOR_ENDPOINT !== "")
      throw new DealProofError(
        "config.tee_mode_unavailable",
        "DSTACK_SIMULATOR_ENDPOINT is set: the production entry talks to the CVM's own guest agent only",
        { hint: "unset DSTACK_SIMULATOR_ENDPOINT (dstack's simulator is for local runs: `npm run oracle`)" },
      );
    if (cfg.DEALPROOF_TEE_MODE !== "dstack") {
      throw new DealProofError(
        "config.tee_mode_unavailable",
        `DEALPROOF_TEE_MODE=${cfg.DEALPROOF_TEE_MODE} is not available in the production entry, which runs on dstack only`,
        { hint: "set DEALPROOF_TEE_MODE=dstack, or run the simulated TEE locally with `npm run oracle`" },
      );
    }
  },
);
