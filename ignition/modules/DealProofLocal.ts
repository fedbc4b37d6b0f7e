import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** Local chains: the simulated DCAP verifier (DESIGN.md §5) and DealProof pointed at it. */
export default buildModule("DealProofLocal", (m) => {
  const owner = m.getParameter("owner", m.getAccount(0));
  const ttl = m.getParameter("registrationTtl", 7n * 24n * 3600n);
  const verifier = m.contract("SimulatedDcapVerifier", [owner, false]);
  const dealProof = m.contract("DealProof", [owner, verifier, ttl]);
  return { verifier, dealProof };
});
