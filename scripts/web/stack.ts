/**
 * The local stack the dapp runs against (npm run web, the browser tests, screenshots): an
 * in-process Hardhat chain on 127.0.0.1, DealProof and the simulated DCAP verifier, and the
 * oracle daemon with the TDX simulator; a DKIM test domain its resolver knows. Everything lives
 * in one temporary directory that close() removes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { startLocalChain, type LocalChain } from "../lib/local-chain.ts";
import { sellerEmailKit, type SellerEmailKit } from "../lib/seller-kit.ts";
import { deployForSimulator, localOracleConfig } from "../lib/local-oracle.ts";
import type { RunningOracle } from "../../oracle/main/app.ts";
import { startLocalOracle } from "../../oracle/simulator/oracle.ts";
import type { Deployment } from "../../oracle/chain/deployment.ts";

export interface WebStack {
  dir: string;
  chain: LocalChain;
  deployment: Deployment;
  oracle: RunningOracle;
  email: SellerEmailKit;
  /** The dapp's config.json for this chain (oracle reached through the same-origin /oracle proxy). */
  config: {
    chains: { chainId: number; network: string; dealProof: string; deployBlock: number; oracleUrl: string }[];
  };
  close(): Promise<void>;
}

export async function startWebStack(opts: { log?: boolean } = {}): Promise<WebStack> {
  const dir = mkdtempSync(join(tmpdir(), "dealproof-web-"));
  const chain = await startLocalChain();
  try {
    const { seedFile, deployment, deploymentFile } = await deployForSimulator(chain.connection, dir, "web");
    const email = sellerEmailKit("acme-data.test");
    const oracle = await startLocalOracle(
      localOracleConfig({
        rpcUrl: chain.url,
        deploymentFile,
        seedFile,
        dir,
        overrides: { DEALPROOF_POLL_MS: "100" },
      }),
      { resolver: email.resolver, logger: pino({ level: opts.log === true ? "info" : "silent" }) },
    );
    return {
      dir,
      chain,
      deployment,
      oracle,
      email,
      config: {
        chains: [
          {
            chainId: deployment.chainId,
            network: "local",
            dealProof: deployment.dealProof,
            deployBlock: deployment.deployBlock,
            oracleUrl: "/oracle",
          },
        ],
      },
      close: async () => {
        await oracle.stop();
        await chain.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await chain.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
