import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { userError, asUserError } from "./user-error.ts";
import { dealContext, wrap } from "./context.ts";
import { createTeeBackend } from "../../oracle/simulator/tee.ts";
import { loadOracleIdentity, registrationQuote } from "../../oracle/tee/identity.ts";
import { dealProofDomain } from "../../sdk/src/eip712.ts";

export default async function oracleRegister(
  a: { tee: string; seedFile: string; endpoint: string; json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  if (a.tee !== "simulator" && a.tee !== "dstack") throw userError("--tee must be simulator or dstack");
  const { dp, deployment, connection } = await dealContext(hre);
  let tee, id, q;
  try {
    tee = createTeeBackend(
      a.tee === "simulator"
        ? { mode: "simulator", seedFile: a.seedFile }
        : { mode: "dstack", ...(a.endpoint === "" ? {} : { endpoint: a.endpoint }) },
    );
    id = await loadOracleIdentity(tee);
  } catch (e) {
    throw asUserError(e, `the TEE (${a.tee}) did not give the oracle's identity and quote: `);
  }
  // issuedAt = the chain's latest block time: fresh, and never ahead of the including block
  const latest = await connection.ethers.provider.getBlock("latest");
  if (!latest) throw userError("cannot read the latest block: is the node reachable?");
  try {
    q = await registrationQuote(
      tee,
      id,
      dealProofDomain(BigInt(deployment.chainId), deployment.dealProof),
      BigInt(latest.timestamp),
    );
  } catch (e) {
    throw asUserError(e, `the TEE (${a.tee}) did not give the oracle's identity and quote: `);
  }
  const receipt = await wrap(async () =>
    (await dp.registerOracle(id.address, id.encryptionPublicKey, id.instanceId, q.issuedAt, q.quote)).wait(),
  );
  const reg = await dp.registrationOf(id.address);
  const expiresAt = await dp.registrationExpiry(id.address);
  const out = {
    signer: id.address,
    encryptionKey: id.encryptionPublicKey,
    instanceId: id.instanceId,
    measurementId: reg.measurementId,
    issuedAt: Number(q.issuedAt),
    expiresAt: Number(expiresAt),
    txHash: receipt?.hash,
  };
  console.log(
    a.json
      ? JSON.stringify(out)
      : `registered oracle ${out.signer} (HPKE key ${out.encryptionKey}) until ${new Date(out.expiresAt * 1000).toISOString()}`,
  );
}
