/**
 * The parties' client of the oracle's HTTP API for the tasks: the SDK's browser-safe client
 * (sdk/src/oracle-api.ts) with an ethers Signer for the wallet sign-in. A deal's public status
 * (with the no-deal reason) and, after sign-in, its terms and transcript, returned only when they
 * hash to what DealProof recorded at settlement.
 */
import type { Signer } from "ethers";
import {
  fetchDealTranscript,
  fetchOracleDeal,
  signInToOracle,
  type DealTranscriptView,
} from "../../sdk/src/oracle-api.ts";

export type DealTranscript = DealTranscriptView;

/** GET /deals/:id — public: status, outcome and the no-deal reason. */
export const oracleDealStatus = fetchOracleDeal;

/**
 * The deal's terms and transcript, for its buyer or seller. Throws unless both hash to what the
 * chain recorded (`expected`, from DealSettled), so what is shown is what was attested.
 */
export async function fetchTranscript(
  oracleUrl: string,
  dealId: bigint,
  signer: Signer,
  expected: { termsHash: string; transcriptHash: string },
): Promise<DealTranscript> {
  const auth = await signInToOracle(oracleUrl, dealId, await signer.getAddress(), (m) =>
    signer.signMessage(m),
  );
  return fetchDealTranscript(oracleUrl, dealId, auth, expected);
}
