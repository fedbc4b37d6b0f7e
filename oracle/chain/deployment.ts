/**
 * `deployments/<network>.json`: where DealProof and its verifier live on one chain.
 * Written by the deploy task, read by the oracle daemon, the Hardhat tasks and dapps.
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { DealProofError } from "../../sdk/src/errors.ts";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte address");

const deploymentSchema = z.object({
  network: z.string().min(1),
  chainId: z.number().int().positive(),
  dealProof: address,
  verifier: address,
  /** `simulated`: contracts/dev/SimulatedDcapVerifier; `automata`: Automata's deployed v1.1 verifier. */
  verifierKind: z.enum(["simulated", "automata"]),
  /** Block of the DealProof deployment: where event scans start. */
  deployBlock: z.number().int().nonnegative(),
  deployedAt: z.string(),
});

export type Deployment = z.infer<typeof deploymentSchema>;

export function deploymentPath(root: string, network: string): string {
  return join(root, "deployments", `${network}.json`);
}

export function readDeployment(file: string): Deployment {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new DealProofError(
      "deployment.unreadable",
      `cannot read deployment file ${file}: ${(e as Error).message}`,
      {
        hint: "Run the deploy task first (npx hardhat deploy --network <network>), or point at its file",
        cause: e,
      },
    );
  }
  const parsed = deploymentSchema.safeParse(raw);
  if (!parsed.success) {
    throw new DealProofError(
      "deployment.invalid",
      `deployment file ${file} is invalid: ${z.prettifyError(parsed.error)}`,
      {
        hint: "write it again with the deploy task (npx hardhat deploy --network <network>)",
      },
    );
  }
  return parsed.data;
}

export function writeDeployment(file: string, d: Deployment): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(deploymentSchema.parse(d), null, 2) + "\n");
}
