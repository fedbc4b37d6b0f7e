/**
 * In-browser settlement-quote verification, loaded on demand (its own chunk: dcap-qvl and its
 * certificate parsing are heavy). The checks are the SDK's verifySettlementQuote; this module
 * fetches the inputs: the settleWithQuote call from the chain, the allowed measurements from
 * DealProof, and (for a simulated TEE) its DCAP root CA and collateral from the oracle.
 */
import { badInput } from "./bad-input.ts";
import * as qvlModule from "@phala/dcap-qvl";
import { getBytes, type BrowserProvider } from "ethers";
import {
  fetchSimulatedDcap,
  verifySettlementQuote,
  type DcapQvl,
  type SettlementQuoteVerdict,
} from "dealproof";
import { dealProof, settlementCall } from "./deals.ts";
import type { ChainConfig } from "./config.ts";

const qvl = ((qvlModule as unknown as { default?: DcapQvl }).default ?? qvlModule) as unknown as DcapQvl;

export async function verifySettlement(
  provider: BrowserProvider,
  chain: ChainConfig,
  txHash: string,
): Promise<SettlementQuoteVerdict | null> {
  const call = await settlementCall(provider, chain, txHash);
  if (call === null) return null;
  const quote = getBytes(call.quote);
  const sim = await fetchSimulatedDcap(chain.oracleUrl);
  const dp = dealProof(chain, provider);
  return verifySettlementQuote(qvl, {
    quote,
    outcome: call.outcome,
    chainId: chain.chainId,
    dealProof: chain.dealProof,
    collateral: sim?.collateral ?? (await intelCollateral(quote)),
    ...(sim === null ? {} : { rootCaDer: sim.rootCaDer }),
    isMeasurementAllowed: (id) => dp.allowedMeasurements(id),
  });
}

/** Intel's collateral for a real quote, from the PCCS dcap-qvl knows. */
async function intelCollateral(quote: Uint8Array): Promise<unknown> {
  const m = qvlModule as unknown as {
    getCollateral?: (pccs: string, q: Uint8Array) => Promise<unknown>;
    PHALA_PCCS_URL?: string;
  };
  if (m.getCollateral === undefined || m.PHALA_PCCS_URL === undefined)
    throw badInput(
      "this dapp has no collateral source for a real TDX quote",
      "verify it with `npm run verify-quote` and Intel's collateral instead",
    );
  return m.getCollateral(m.PHALA_PCCS_URL, quote);
}
