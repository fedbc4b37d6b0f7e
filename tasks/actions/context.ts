/** Shared set-up for the deal tasks: connection, deployment, DealProof, a signer. */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { userError } from "./user-error.ts";
import { deploymentPath, readDeployment } from "../../oracle/protocol/deployment.ts";
import { dealProofAt } from "../../oracle/client/parties.ts";

export async function dealContext(hre: HardhatRuntimeEnvironment, account = "0") {
  const connection = await hre.network.getOrCreate();
  let deployment;
  try {
    deployment = readDeployment(deploymentPath(hre.config.paths.root, connection.networkName));
  } catch (e) {
    throw userError((e as Error).message);
  }
  if (!/^[0-9]+$/.test(account)) throw userError("--account must be a signer index");
  const signer = (await connection.ethers.getSigners())[Number(account)];
  if (signer === undefined) throw userError(`no signer #${account} on ${connection.networkName}`);
  return { connection, deployment, signer, dp: dealProofAt(deployment.dealProof, signer) };
}

export function ethAmount(name: string, s: string): bigint {
  if (!/^(0|[1-9][0-9]*)(\.[0-9]{1,18})?$/.test(s))
    throw userError(`--${name} must be an amount of ETH like 1.5`);
  return parseEthStrict(s);
}

function parseEthStrict(s: string): bigint {
  const [i, f = ""] = s.split(".");
  return BigInt(i!) * 10n ** 18n + BigInt(f.padEnd(18, "0"));
}

export function dealIdArg(s: string): bigint {
  if (!/^[0-9]{1,80}$/.test(s)) throw userError("dealId must be a decimal deal id");
  return BigInt(s);
}

export async function wrap<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw userError((e as Error).message);
  }
}
