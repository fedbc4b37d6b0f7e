/** Configuration of an oracle on a throw-away local chain (demo, benchmark, end-to-end tests). */
import { join } from "node:path";
import { loadConfig, type OracleConfig } from "../../oracle/daemon/config.ts";

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
