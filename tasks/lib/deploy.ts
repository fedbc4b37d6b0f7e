/**
 * Deploys DealProof (and, on local chains, the simulated verifier) through Hardhat Ignition with
 * its initial configuration (measurements allowed from the start, change delay: 0 on local chains,
 * 2 days elsewhere), and writes deployments/<network>.json.
 * Used by the `deploy` task, the demo and the tests.
 */
import hre from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { isHexString } from "ethers";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import DealProofLocal from "../../ignition/modules/DealProofLocal.ts";
import DealProofSepolia, { AUTOMATA_SEPOLIA } from "../../ignition/modules/DealProofSepolia.ts";
import { deploymentPath, writeDeployment, type Deployment } from "../../oracle/chain/deployment.ts";
import { DealProofError } from "../../sdk/src/errors.ts";

export const LOCAL_CHAIN_IDS = new Set([31337, 1337]);

export interface DeployOptions {
  /** Network name used for the deployments file. */
  networkName: string;
  /** `simulated` deploys SimulatedDcapVerifier; `automata` uses an existing verifier. Default by chain id. */
  verifierKind?: "simulated" | "automata";
  /** Verifier address for `automata` (default: Automata on Sepolia). */
  verifier?: string;
  registrationTtl?: bigint;
  /** Delay of widening changes (default: 0 on local chains, 2 days elsewhere). */
  changeDelay?: bigint;
  /** 64-byte P-256 attestation keys (x ‖ y) the simulated verifier accepts. */
  attestationKeys?: Uint8Array[];
  /** Measurement ids DealProof allows from the start (constructor: no deal exists yet to protect). */
  measurements?: string[];
  /** Project root: when set, deployments/<network>.json is written there. */
  writeTo?: string;
  /** Show Ignition's progress UI and a line per configuration transaction (public chains, not --json). */
  progress?: boolean;
}

export async function deployDealProof(
  connection: NetworkConnection,
  opts: DeployOptions,
): Promise<Deployment> {
  // A fresh clone has no artifacts yet; when they are current this is a no-op.
  await hre.tasks.getTask("build").run({ quiet: true });
  const { ethers, ignition } = connection;
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const kind = opts.verifierKind ?? (LOCAL_CHAIN_IDS.has(chainId) ? "simulated" : "automata");
  for (const m of opts.measurements ?? []) {
    if (!isHexString(m, 32))
      throw new DealProofError("deploy.bad_measurement", `measurement id ${m} is not 32 bytes of 0x-hex`, {
        hint: "give the measurementId that verify-quote printed",
      });
  }
  for (const k of opts.attestationKeys ?? []) {
    if (k.length !== 64)
      throw new DealProofError(
        "deploy.bad_attestation_key",
        `an attestation key is 64 bytes (x ‖ y); got ${k.length}`,
        {
          hint: "give the key tee:simulator-key printed",
        },
      );
  }
  if (kind === "automata" && (opts.attestationKeys?.length ?? 0) > 0) {
    throw new DealProofError(
      "deploy.attestation_key_unused",
      "attestation keys are only for the simulated verifier; Automata checks Intel's chain",
      { hint: "drop --attestation-key, or deploy with --verifier-kind simulated" },
    );
  }
  const startBlock = await ethers.provider.getBlockNumber();
  // Local chains are thrown away, so their Ignition journals must not be reused by the next chain
  // that happens to have the same chain id: give each local deployment its own id and delete it.
  const local = LOCAL_CHAIN_IDS.has(chainId);
  const progress = opts.progress === true && !local;
  const say = (line: string) => {
    if (progress) console.log(line);
  };
  const deploymentId = local ? `local-${chainId}-${randomBytes(6).toString("hex")}` : undefined;
  const idOption = deploymentId === undefined ? {} : { deploymentId };
  const parameters: Record<string, bigint | string[]> = { measurements: opts.measurements ?? [] };
  if (opts.registrationTtl !== undefined) parameters.registrationTtl = opts.registrationTtl;
  if (opts.changeDelay !== undefined) parameters.changeDelay = opts.changeDelay;

  let dealProofAddress: string;
  let verifierAddress: string;
  if (kind === "simulated") {
    const { dealProof, verifier } = await ignition.deploy(DealProofLocal, {
      parameters: { DealProofLocal: parameters },
      displayUi: progress,
      ...idOption,
    });
    dealProofAddress = await dealProof.getAddress();
    verifierAddress = await verifier.getAddress();
    const simulated = await ethers.getContractAt("SimulatedDcapVerifier", verifierAddress);
    for (const k of opts.attestationKeys ?? []) {
      const tx = await simulated.setAttestationKey(k.slice(0, 32), k.slice(32), true);
      say(`setAttestationKey: ${tx.hash} sent, waiting for it to be mined…`);
      await tx.wait();
    }
  } else {
    const verifier = opts.verifier ?? AUTOMATA_SEPOLIA;
    if ((await ethers.provider.getCode(verifier)) === "0x") {
      throw new DealProofError(
        "deploy.no_verifier",
        `no contract at verifier address ${verifier} on chain ${chainId}`,
        {
          hint: "pass --verifier with the DCAP verifier deployed on this chain",
        },
      );
    }
    const { dealProof } = await ignition.deploy(DealProofSepolia, {
      parameters: { DealProofSepolia: { ...parameters, verifier } },
      displayUi: progress,
      ...idOption,
    });
    dealProofAddress = await dealProof.getAddress();
    verifierAddress = verifier;
  }
  if (deploymentId !== undefined)
    rmSync(join(hre.config.paths.ignition, "deployments", deploymentId), { recursive: true, force: true });
  const deployment: Deployment = {
    network: opts.networkName,
    chainId,
    dealProof: dealProofAddress,
    verifier: verifierAddress,
    verifierKind: kind,
    deployBlock: startBlock + 1,
    deployedAt: new Date().toISOString(),
  };
  if (opts.writeTo !== undefined) writeDeployment(deploymentPath(opts.writeTo, opts.networkName), deployment);
  return deployment;
}
