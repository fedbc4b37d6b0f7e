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
  const tee = createTeeBackend(
    a.tee === "simulator"
      ? { mode: "simulator", seedFile: a.seedFile }
      : { mode: "dstack", ...(a.endpoint === "" ? {} : { endpoint: a.endpoint }) },
  );
  const { dp, deployment } = await dealContext(hre);
  const id = await loadOracleIdentity(tee);
  const q = await registrationQuote(
    tee,
    id,
    dealProofDomain(BigInt(deployment.chainId), deployment.dealProof),
  );
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
