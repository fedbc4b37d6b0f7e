import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { userError } from "./user-error.ts";
import { dealContext, wrap } from "./context.ts";
import { createTeeBackend } from "../../oracle/tee/index.ts";
import { loadOracleIdentity, registrationQuote } from "../../oracle/tee/identity.ts";
import { dealProofDomain } from "../../sdk/src/eip712.ts";

export default async function oracleRegister(
  a: { tee: string; seedFile: string; endpoint: string; json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  if (a.tee !== "simulator" && a.tee !== "dstack") throw userError("--tee must be simulator or dstack");
  const { dp, deployment } = await dealContext(hre);
  let tee, id, q;
  try {
    tee = createTeeBackend(
      a.tee === "simulator"
        ? { mode: "simulator", seedFile: a.seedFile }
        : { mode: "dstack", ...(a.endpoint === "" ? {} : { endpoint: a.endpoint }) },
    );
    id = await loadOracleIdentity(tee);
    q = await registrationQuote(tee, id, dealProofDomain(BigInt(deployment.chainId), deployment.dealProof));
  } catch (e) {
    throw userError(
      `the TEE (${a.tee}) did not give the oracle's identity and quote: ${(e as Error).message}`,
    );
  }
  const receipt = await wrap(async () =>
    (await dp.getFunction("registerOracle").send(id.address, id.encryptionPublicKey, q.quote)).wait(),
  );
  const reg = (await dp.getFunction("registrations")(id.address)) as {
    expiresAt: bigint;
    measurementId: string;
  };
  const out = {
    signer: id.address,
    encryptionKey: id.encryptionPublicKey,
    measurementId: reg.measurementId,
    expiresAt: Number(reg.expiresAt),
    txHash: receipt?.hash,
  };
  console.log(
    a.json
      ? JSON.stringify(out)
      : `registered oracle ${out.signer} (HPKE key ${out.encryptionKey}) until ${new Date(out.expiresAt * 1000).toISOString()}`,
  );
}
