/**
 * `dealproof/deployments`: where DealProof is deployed, by chain id, with the block to start event
 * scans at. Two kinds:
 *  - public deployments (`DEPLOYMENTS`): exactly the non-local deployments/<network>.json files
 *    of the repository (test/sdk/deployments.test.ts keeps them equal). Sepolia (11155111) is
 *    listed once it is deployed: `npx hardhat deploy --network sepolia` writes
 *    deployments/sepolia.json, and its fields are copied here (the test fails until they are);
 *  - the local deployment (`LOCAL_DEPLOYMENT`, chain 31337): what `npx hardhat deploy --network
 *    localhost` gives on a fresh `npx hardhat node` — the first two contracts of the node's first
 *    account, so always the same addresses (the test deploys on a fresh chain and compares).
 * No other import than errors.ts: this entry is a few hundred bytes in a bundle.
 */
import { DealProofError } from "./errors.ts";

export interface DealProofDeployment {
  network: string;
  dealProof: `0x${string}`;
  verifier: `0x${string}`;
  verifierKind: "simulated" | "automata";
  /** Block of the deployment: where event scans start. */
  deployBlock: number;
}

/** Chain ids this SDK version knows a DealProof deployment for (or will, once deployed). */
export const CHAIN_IDS = { localhost: 31337, sepolia: 11155111 } as const;
export type KnownChainId = (typeof CHAIN_IDS)[keyof typeof CHAIN_IDS];

/** Public deployments by chain id (Sepolia's appears here once deployed). */
export const DEPLOYMENTS: Readonly<Record<number, DealProofDeployment>> = {};

/** A fresh local node's deployment (`npx hardhat node`, then `npx hardhat deploy --network localhost`). */
export const LOCAL_DEPLOYMENT: DealProofDeployment = {
  network: "localhost",
  dealProof: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  verifier: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  verifierKind: "simulated",
  deployBlock: 1,
};

/**
 * The deployment on `chainId`: a public one, or with `{ local: true }` the local node's on 31337.
 * Throws `deployment.unknown_chain`, saying so, where this SDK version knows none.
 */
export function deploymentFor(chainId: KnownChainId | number | bigint, opts: { local?: boolean } = {}) {
  const id = Number(chainId);
  const d = opts.local === true && id === CHAIN_IDS.localhost ? LOCAL_DEPLOYMENT : DEPLOYMENTS[id];
  if (d === undefined)
    throw new DealProofError(
      "deployment.unknown_chain",
      `DealProof has no ${id === CHAIN_IDS.localhost ? "public " : ""}deployment on chain ${id} in this SDK version` +
        (id === CHAIN_IDS.sepolia ? " (Sepolia's is listed once deployed)" : ""),
      {
        hint:
          id === CHAIN_IDS.localhost
            ? "pass { local: true } for a fresh local node's deployment, or the address of your own"
            : "pass the address of your own deployment",
      },
    );
  return d;
}
