import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Local chains: the simulated DCAP verifier (DESIGN.md §5) and DealProof pointed at it, with a
 * change delay of 0 (allowed on chain ids 31337 and 1337 only) so widening changes run at once.
 */
export default buildModule("DealProofLocal", (m) => {
  const owner = m.getParameter("owner", m.getAccount(0));
  const ttl = m.getParameter("registrationTtl", 7n * 24n * 3600n);
  const verifier = m.contract("SimulatedDcapVerifier", [owner, false]);
  const freshness = m.getParameter("freshnessWindow", 3600n);
  const delay = m.getParameter("changeDelay", 0n);
  const measurements = m.getParameter<string[]>("measurements", []);
  const dealProof = m.contract("DealProof", [owner, verifier, ttl, freshness, delay, measurements]);
  return { verifier, dealProof };
});
