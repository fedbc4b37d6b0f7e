import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { userError } from "./user-error.ts";
import { chainError } from "../../sdk/src/revert.ts";
import { verifyAndAllowMeasurement } from "../lib/measurement.ts";
import { taskDeployment } from "./context.ts";

interface Args {
  quote: string;
  collateral: string;
  rootCa: string;
  now: string;
  eventLog: string;
  simulatorKey: string;
  composeHash: string;
  disallow: boolean;
  json: boolean;
}

const opt = (s: string) => (s === "" ? undefined : s);

export default async function measurementAllow(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  if (args.quote === "")
    throw userError("--quote is required: the CVM's quote (hex, file, or GetQuote JSON)");
  const connection = await hre.network.getOrCreate();
  let result;
  try {
    const deployment = taskDeployment(hre, connection.networkName);
    result = await verifyAndAllowMeasurement(
      connection,
      deployment.dealProof,
      {
        quote: args.quote,
        collateral: opt(args.collateral),
        rootCa: opt(args.rootCa),
        now: opt(args.now),
        eventLog: opt(args.eventLog),
        composeHash: args.composeHash,
        simulatorKeys: args.simulatorKey === "" ? [] : args.simulatorKey.split(","),
      },
      !args.disallow,
    );
  } catch (e) {
    throw chainError(e);
  }
  if (args.json) console.log(JSON.stringify(result));
  else {
    const what =
      result.action === "scheduled"
        ? `scheduled allowing measurement ${result.measurementId} (change ${result.changeId}); ` +
          `run this again after ${new Date((result.readyAt ?? 0) * 1000).toISOString()} to execute it`
        : result.action === "already-allowed"
          ? `measurement ${result.measurementId} is already allowed`
          : `${result.allowed ? "allowed" : "disallowed"} measurement ${result.measurementId}`;
    console.log(
      `${what}\n` +
        `  app ${result.appId}, compose hash ${result.composeHash} (${result.mode}, ${result.tcbStatus})\n` +
        `  DealProof ${result.dealProof}, tx ${result.txHash}`,
    );
  }
}
