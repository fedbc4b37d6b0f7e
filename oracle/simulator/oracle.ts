/**
 * Starts an oracle for local development, tests and benchmarks: on the simulated TEE when the
 * configuration says `DEALPROOF_TEE_MODE=simulator` (with the loopback-friendly fetch policy, the
 * simulated DCAP collateral served to dapps, and the compose hash `DEALPROOF_SIMULATOR_COMPOSE_HASH`
 * names, so replicas of one app can run two measurements side by side), else on dstack exactly as
 * the production entry does.
 */
import { LOCAL_POLICY } from "../data/location-policy.ts";
import type { OracleConfig } from "../daemon/config.ts";
import { startOracle, type OracleOverrides, type RunningOracle } from "../main/app.ts";
import { DstackBackend } from "../tee/dstack.ts";
import { DEFAULT_IMAGE, SimulatorBackend } from "./backend.ts";

export function startLocalOracle(cfg: OracleConfig, o: OracleOverrides = {}): Promise<RunningOracle> {
  if (cfg.DEALPROOF_TEE_MODE === "dstack")
    return startOracle(cfg, { tee: new DstackBackend(cfg.DSTACK_ENDPOINT) }, o);
  // another compose hash: another measurement of the same app (the rolling upgrade's new image)
  const composeHash = cfg.DEALPROOF_SIMULATOR_COMPOSE_HASH;
  const tee = SimulatorBackend.fromSeedFile(
    cfg.DEALPROOF_SIMULATOR_SEED_FILE,
    composeHash === undefined ? undefined : { ...DEFAULT_IMAGE, composeHash },
    cfg.DEALPROOF_CREATE_SEED,
    { instanceId: cfg.DEALPROOF_INSTANCE_ID },
  );
  return startOracle(
    cfg,
    {
      tee,
      fetchPolicy: LOCAL_POLICY,
      simulatedDcap: () => ({ rootCaDer: tee.dcapRootCa(), collateral: tee.dcapCollateral() }),
    },
    o,
  );
}
