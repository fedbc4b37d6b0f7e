/** The deployed DealProof's ABI surface (functions, events, errors) as sorted signatures, for the snapshot test. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Interface, type InterfaceAbi } from "ethers";

/** The committed snapshot the artifact is compared with. */
export const ABI_SURFACE_SNAPSHOT = join(import.meta.dirname, "abi-surface.json");

/** The compiled DealProof's ABI, from the Hardhat artifact. */
export function dealProofArtifactAbi(): InterfaceAbi {
  const artifact = readFileSync(
    join(import.meta.dirname, "../../artifacts/contracts/DealProof.sol/DealProof.json"),
    "utf8",
  );
  return (JSON.parse(artifact) as { abi: InterfaceAbi }).abi;
}

/**
 * Every entry of `abi` in ethers' full human-readable form, sorted: a function with its parameter
 * names, state mutability and outputs, an event with its indexed flags, an error with its
 * parameters, and the constructor and receive.
 */
export function abiSurface(abi: InterfaceAbi): string[] {
  return new Interface(abi).fragments.map((f) => f.format("full")).sort();
}
