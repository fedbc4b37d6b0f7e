import { userError } from "./user-error.ts";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { getBytes, isHexString } from "ethers";
import { deployDealProof } from "../../scripts/lib/deploy.ts";
import { deploymentPath } from "../../oracle/protocol/deployment.ts";

interface Args {
  verifierKind: string;
  verifier: string;
  ttl: string;
  attestationKey: string;
  measurement: string;
  json: boolean;
}

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");

export default async function deploy(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  if (args.verifierKind !== "" && args.verifierKind !== "simulated" && args.verifierKind !== "automata") {
    throw userError(`--verifier-kind must be "simulated" or "automata", got "${args.verifierKind}"`);
  }
  if (!/^[1-9][0-9]*$/.test(args.ttl))
    throw userError(`--ttl must be a positive number of seconds, got "${args.ttl}"`);
  const keys = list(args.attestationKey).map((k) => {
    if (!isHexString(k, 64)) throw userError(`--attestation-key ${k} is not 64 bytes of 0x-hex (x ‖ y)`);
    return getBytes(k);
  });
  await hre.tasks.getTask("build").run({ quiet: true });
  const connection = await hre.network.getOrCreate();
  const d = await deployDealProof(connection, {
    networkName: connection.networkName,
    verifierKind: args.verifierKind === "" ? undefined : args.verifierKind,
    verifier: args.verifier === "" ? undefined : args.verifier,
    registrationTtl: BigInt(args.ttl),
    attestationKeys: keys,
    measurements: list(args.measurement),
    writeTo: hre.config.paths.root,
  });
  if (args.json) {
    console.log(JSON.stringify(d));
    return;
  }
  console.log(`DealProof        ${d.dealProof}`);
  console.log(`verifier (${d.verifierKind}) ${d.verifier}`);
  console.log(`chain id         ${d.chainId}, from block ${d.deployBlock}`);
  console.log(`written to       ${deploymentPath(hre.config.paths.root, d.network)}`);
}
