/**
 * `measurement:disallow <measurementId>`: the owner withdraws trust from a measurement by its id
 * alone — narrowing trust needs no quote from a CVM that may be gone. Registrations from it stop
 * settling at once.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { isHexString, type ContractTransactionReceipt } from "ethers";
import { dealContext, wrap } from "./context.ts";
import { userError } from "./user-error.ts";

export default async function measurementDisallow(
  a: { measurementId: string; account: string; json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  if (!isHexString(a.measurementId, 32))
    throw userError("measurementId must be 0x followed by 64 hex digits (as measurement:allow printed it)");
  const { dp, deployment } = await dealContext(hre, a.account);
  const allowed = await wrap(() => dp.allowedMeasurements(a.measurementId));
  if (!allowed)
    throw userError(`measurement ${a.measurementId} is not allowed on this DealProof: nothing to do`);
  const receipt = await wrap(
    async () => (await (await dp.disallowMeasurement(a.measurementId)).wait()) as ContractTransactionReceipt,
  );
  const out = { measurementId: a.measurementId, dealProof: deployment.dealProof, txHash: receipt.hash };
  console.log(
    a.json ? JSON.stringify(out) : `disallowed measurement ${out.measurementId} (tx ${out.txHash})`,
  );
}
