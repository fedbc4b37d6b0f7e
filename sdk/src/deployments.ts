/**
 * Where DealProof is deployed, by chain id: the public deployments of deployments/<network>.json
 * (a test keeps the two equal). Local chains are not listed: read their deployments file.
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

export const DEPLOYMENTS: Readonly<Record<number, DealProofDeployment>> = {};

/** The deployment on `chainId`; throws, saying so, where DealProof is not deployed. */
export function deploymentFor(chainId: number | bigint): DealProofDeployment {
  const d = DEPLOYMENTS[Number(chainId)];
  if (d === undefined)
    throw new DealProofError(
      "deployment.unknown_chain",
      `DealProof has no public deployment on chain ${chainId} in this SDK version`,
      { hint: "pass the address of your own deployment" },
    );
  return d;
}
