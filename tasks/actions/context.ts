/** Shared set-up for the deal tasks: connection, deployment, DealProof, a signer; argument parsers. */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { closeSync, openSync, writeSync } from "node:fs";
import { userError, asUserError } from "./user-error.ts";
import { existsSync } from "node:fs";
import { deploymentPath, readDeployment, type Deployment } from "../../oracle/chain/deployment.ts";
import { connectDealProof } from "../../oracle/chain/dealproof.ts";
import { chainError } from "../../sdk/src/revert.ts";
import { parseEthAmount } from "../../sdk/src/eth-amount.ts";
import { formatDealId } from "../../sdk/src/deal-id.ts";

/**
 * The deployment of the network the task runs on. Without `--network` Hardhat runs an empty
 * in-process chain ("default"), where nothing is deployed: the error then names the flag to add.
 */
export function taskDeployment(hre: HardhatRuntimeEnvironment, networkName: string): Deployment {
  const file = deploymentPath(hre.config.paths.root, networkName);
  if (networkName === "default" && !existsSync(file))
    throw userError("no --network given: this task needs the network DealProof is deployed on", {
      code: "task.no_network",
      hint: "add --network localhost (the local walk-through, docs/local.md) or --network sepolia",
    });
  try {
    return readDeployment(file);
  } catch (e) {
    throw asUserError(e);
  }
}

export async function dealContext(hre: HardhatRuntimeEnvironment, account = "0") {
  const connection = await hre.network.getOrCreate();
  const deployment = taskDeployment(hre, connection.networkName);
  if (!/^[0-9]+$/.test(account)) throw userError("--account must be a signer index");
  const signers = await wrap(() => connection.ethers.getSigners());
  const signer = signers[Number(account)];
  if (signer === undefined) throw userError(`no signer #${account} on ${connection.networkName}`);
  return { connection, deployment, signer, dp: connectDealProof(deployment.dealProof, signer) };
}

export function ethAmount(name: string, s: string): bigint {
  const wei = parseEthAmount(s);
  if (wei === undefined) throw userError(`--${name} must be an amount of ETH like 1.5`);
  return wei;
}

/** A deal id as logs and topics show it (0x + up to 64 hex digits) or in decimal. */
export function dealIdArg(s: string): bigint {
  const id = /^0x[0-9a-fA-F]{1,64}$/.test(s) ? BigInt(s) : /^[0-9]{1,78}$/.test(s) ? BigInt(s) : undefined;
  if (id === undefined || id >= 2n ** 256n)
    throw userError(`dealId must be a deal id in hex (0x…, as events show it) or decimal; got "${s}"`);
  return id;
}

/** The deal id as tasks print it: 0x + 64 hex digits (as in events and topics). */
export const dealIdHex = formatDealId;

/**
 * Writes a new file (mode 0600) before anything irreversible happens; refuses to replace an
 * existing one unless `force`, so an earlier deal's key is never lost silently.
 */
export function writeNewFile(path: string, data: string, force: boolean, option: string): void {
  let fd: number;
  try {
    fd = openSync(path, force ? "w" : "wx", 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST")
      throw userError(`${option} ${path} exists already: choose another file, or add --force to replace it`);
    throw userError(`cannot write ${option} ${path}: ${(e as Error).message}`, {
      code: "task.cannot_write",
      hint: `choose a writable path for ${option}`,
    });
  }
  try {
    writeSync(fd, data);
  } finally {
    closeSync(fd);
  }
}

/** Runs a chain interaction; any failure becomes a plain message (decoded custom error + hint). */
export async function wrap<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw chainError(e);
  }
}
