/**
 * `tee:simulator-key`: the embedded simulator's attestation key (what SimulatedDcapVerifier's
 * owner registers) and measurement id, from its seed file. `--create-seed` creates a missing seed;
 * without it a missing seed is an error, so a typo never yields a new identity.
 */
import { hexlify } from "ethers";
import { SimulatorBackend } from "../../oracle/simulator/backend.ts";
import { asUserError } from "./user-error.ts";

export default async function simulatorKey(a: { seedFile: string; createSeed: boolean; json: boolean }) {
  let sim: SimulatorBackend;
  try {
    sim = SimulatorBackend.fromSeedFile(a.seedFile, undefined, a.createSeed);
  } catch (e) {
    throw asUserError(e);
  }
  const out = {
    seedFile: a.seedFile,
    attestationKey: hexlify(sim.attestationPublicKey()),
    measurementId: sim.measurementId(),
  };
  if (a.json) console.log(JSON.stringify(out));
  else {
    console.log(`simulator seed    ${out.seedFile}`);
    console.log(`attestation key   ${out.attestationKey}`);
    console.log(`measurement id    ${out.measurementId}`);
  }
}
