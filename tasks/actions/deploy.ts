import { userError, asUserError, moreHint } from "./user-error.ts";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { getBytes, hexlify, isHexString } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import { deployDealProof, LOCAL_CHAIN_IDS, type DeployOptions } from "../lib/deploy.ts";
import { chainError } from "../../sdk/src/revert.ts";
import { SimulatorBackend } from "../../oracle/simulator/backend.ts";
import { deploymentPath } from "../../oracle/chain/deployment.ts";

interface Args {
  verifierKind: string;
  verifier: string;
  ttl: string;
  attestationKey: string;
  measurement: string;
  seedFile: string;
  json: boolean;
}

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");

/**
 * The node's chain id, which must equal the id pinned for this network in hardhat.config.ts:
 * checked before any transaction, so a URL pointing at the wrong chain deploys nothing.
 */
async function checkChainId(connection: NetworkConnection): Promise<number> {
  let actual: number;
  try {
    actual = Number(BigInt((await connection.provider.request({ method: "eth_chainId" })) as string));
  } catch (e) {
    throw asUserError(chainError(e), `network ${connection.networkName}: `);
  }
  const pinned = connection.networkConfig.chainId;
  if (pinned !== undefined && pinned !== actual)
    throw userError(
      `network ${connection.networkName} is pinned to chain id ${pinned}, but its node answers chain id ${actual}; nothing was deployed`,
      { code: "deploy.chain_mismatch", hint: "check the network's RPC URL" },
    );
  return actual;
}

function simulatorFromSeed(seedFile: string): SimulatorBackend {
  try {
    return SimulatorBackend.fromSeedFile(seedFile, undefined, false);
  } catch (e) {
    throw asUserError(e, "", {
      hint: moreHint(
        e,
        "or pass --attestation-key (on a local chain deploy registers the simulator's attestation key)",
      ),
    });
  }
}

async function deployOrExplain(connection: NetworkConnection, opts: DeployOptions) {
  try {
    return await deployDealProof(connection, opts);
  } catch (e) {
    throw chainError(e);
  }
}

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
  const chainId = await checkChainId(connection);
  const measurements = list(args.measurement);
  if (LOCAL_CHAIN_IDS.has(chainId) && args.verifierKind !== "automata" && keys.length === 0) {
    // A local hand-run: trust the embedded simulator this machine's oracle runs (DESIGN.md §5).
    const sim = simulatorFromSeed(args.seedFile);
    keys.push(sim.attestationPublicKey());
    if (measurements.length === 0) measurements.push(sim.measurementId());
  }
  const d = await deployOrExplain(connection, {
    networkName: connection.networkName,
    verifierKind: args.verifierKind === "" ? undefined : args.verifierKind,
    verifier: args.verifier === "" ? undefined : args.verifier,
    registrationTtl: BigInt(args.ttl),
    attestationKeys: keys,
    measurements,
    writeTo: hre.config.paths.root,
    progress: !args.json,
  });
  if (args.json) {
    console.log(JSON.stringify(d));
    return;
  }
  console.log(`DealProof        ${d.dealProof}`);
  console.log(`verifier (${d.verifierKind}) ${d.verifier}`);
  console.log(`chain id         ${d.chainId}, from block ${d.deployBlock}`);
  if (d.verifierKind === "simulated")
    console.log(
      `trusted          simulator key(s) ${keys.map((k) => hexlify(k).slice(0, 18) + "…").join(", ")}`,
    );
  for (const m of measurements) console.log(`allowed          measurement ${m}`);
  console.log(`written to       ${deploymentPath(hre.config.paths.root, d.network)}`);
}
