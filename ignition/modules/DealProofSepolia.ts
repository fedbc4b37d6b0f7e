import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** Automata's deployed AutomataDcapAttestationFee v1.1 on Sepolia (DESIGN.md §4). */
export const AUTOMATA_SEPOLIA = "0x27188ABA3a26CBb806eF4C67de9b05D7d792EC10";

/**
 * Public chains: DealProof against Automata's on-chain DCAP verifier. Widening changes wait
 * `changeDelay` (default and minimum 2 days; the constructor refuses less on a public chain).
 */
export default buildModule("DealProofSepolia", (m) => {
  const owner = m.getParameter("owner", m.getAccount(0));
  const ttl = m.getParameter("registrationTtl", 7n * 24n * 3600n);
  const verifier = m.getParameter("verifier", AUTOMATA_SEPOLIA);
  const freshness = m.getParameter("freshnessWindow", 3600n);
  const delay = m.getParameter("changeDelay", 2n * 24n * 3600n);
  const measurements = m.getParameter<string[]>("measurements", []);
  const dealProof = m.contract("DealProof", [owner, verifier, ttl, freshness, delay, measurements]);
  return { dealProof };
});
