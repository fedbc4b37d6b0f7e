/**
 * Buyer or seller: signs in to the oracle's API with the wallet and prints the deal's terms and
 * negotiation transcript, checked against the hashes DealProof recorded at settlement.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { dealContext, dealIdArg, dealIdHex, wrap } from "./context.ts";
import { userError, asUserError } from "./user-error.ts";
import { oracleUrl } from "./oracle-url.ts";
import { readDealSettled } from "../../oracle/chain/deal-events.ts";
import { fetchDealTranscript, signInToOracle } from "../../sdk/src/oracle-api.ts";

interface Args {
  dealId: string;
  oracle: string;
  account: string;
  json: boolean;
}

export default async function dealTranscript(a: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const id = dealIdArg(a.dealId);
  const api = oracleUrl(a.oracle);
  const { dp, deployment, signer } = await dealContext(hre, a.account);
  const settled = await wrap(() => readDealSettled(dp, id, deployment.deployBlock));
  if (settled === null)
    throw userError(`deal ${dealIdHex(id)} is not settled: its transcript exists once the oracle settles it`);
  let t;
  try {
    // the dapp's two calls (web/src/deal.tsx): sign in with the wallet, then the checked transcript
    const auth = await signInToOracle(api, id, await signer.getAddress(), (m) => signer.signMessage(m));
    t = await fetchDealTranscript(api, id, auth, settled);
  } catch (e) {
    throw asUserError(e);
  }
  if (a.json) {
    console.log(
      JSON.stringify({
        dealId: id.toString(),
        dealIdHex: dealIdHex(id),
        terms: t.terms,
        transcript: t.transcript,
      }),
    );
    return;
  }
  console.log(`deal ${dealIdHex(id)} — terms and transcript match the hashes settled on-chain`);
  console.log(`terms: ${JSON.stringify(t.terms, null, 2)}`);
  console.log(`transcript: ${JSON.stringify(t.transcript, null, 2)}`);
}
