/**
 * An oracle on a throw-away local chain (demo, benchmarks, the dapp's stack, end-to-end tests): a
 * simulated TEE with DealProof deployed to trust exactly it, and the oracle's configuration.
 */
import { join } from "node:path";
import type { NetworkConnection } from "hardhat/types/network";
import { loadConfig, type OracleConfig } from "../../oracle/daemon/config.ts";
import { SimulatorBackend } from "../../oracle/simulator/backend.ts";
import { deployDealProof } from "../../tasks/lib/deploy.ts";

/**
 * A simulated TEE (its seed in `dir`) and DealProof deployed on `connection` trusting only its
 * attestation key and measurement; the deployments file is written under `dir`.
 */
export async function deployForSimulator(
  connection: NetworkConnection,
  dir: string,
  networkName: string,
  opts: { changeDelay?: bigint; registrationTtl?: bigint } = {},
) {
  const seedFile = join(dir, "simulator-seed");
  const sim = SimulatorBackend.fromSeedFile(seedFile);
  const deployment = await deployDealProof(connection, {
    networkName,
    ...(opts.changeDelay === undefined ? {} : { changeDelay: opts.changeDelay }),
    ...(opts.registrationTtl === undefined ? {} : { registrationTtl: opts.registrationTtl }),
    attestationKeys: [sim.attestationPublicKey()],
    measurements: [sim.measurementId()],
    writeTo: dir,
  });
  return { sim, seedFile, deployment, deploymentFile: join(dir, "deployments", `${networkName}.json`) };
}

/** Hardhat's well-known account #1: it pays the oracle's gas on local chains only. */
export const LOCAL_SENDER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

export function localOracleConfig(args: {
  rpcUrl: string;
  deploymentFile: string;
  seedFile: string;
  dir: string;
  overrides?: Record<string, string>;
}): OracleConfig {
  return loadConfig({
    DEALPROOF_RPC_URL: args.rpcUrl,
    DEALPROOF_DEPLOYMENT: args.deploymentFile,
    DEALPROOF_SENDER_KEY: LOCAL_SENDER_KEY,
    DEALPROOF_TEE_MODE: "simulator",
    DEALPROOF_SIMULATOR_SEED_FILE: args.seedFile,
    DEALPROOF_DB: join(args.dir, "oracle.sqlite"),
    DEALPROOF_CONFIRMATIONS: "0",
    DEALPROOF_POLL_MS: "50",
    DEALPROOF_RPC_POLL_MS: "50",
    DEALPROOF_HTTP_HOST: "127.0.0.1",
    DEALPROOF_HTTP_PORT: "0",
    ...args.overrides,
  });
}
