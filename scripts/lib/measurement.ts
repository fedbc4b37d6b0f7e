/**
 * Allows (or removes) a CVM's measurement id in DealProof after verifying its quote, the RTMR3
 * replay of its event log and the expected compose hash: the operator's `measurement:allow`.
 */
import type { NetworkConnection } from "hardhat/types/network";
import { runVerifyQuote, type VerifyQuoteArgs } from "../../oracle/cli/verify-quote-command.ts";

export interface AllowResult {
  measurementId: string;
  allowed: boolean;
  appId: string | null;
  composeHash: string | null;
  mode: string;
  tcbStatus: string | null;
  dealProof: string;
  txHash: string | undefined;
}

export async function verifyAndAllowMeasurement(
  connection: NetworkConnection,
  dealProofAddress: string,
  args: VerifyQuoteArgs & { composeHash: string },
  allowed = true,
): Promise<AllowResult> {
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(args.composeHash)) {
    throw new Error(
      "the compose hash must be 32 bytes of hex: allowing a measurement without it would trust any app",
    );
  }
  const verdict = runVerifyQuote(args);
  if (!verdict.ok || verdict.measurementId === null) {
    const failed = verdict.checks.filter((c) => !c.passed).map((c) => `${c.name} (${c.detail})`);
    throw new Error(`not allowing: the quote failed ${failed.join("; ")}`);
  }
  if (!verdict.checks.some((c) => c.name === "composeHash" && c.passed)) {
    throw new Error(
      "not allowing: the compose hash was not checked against an event log that replays to RTMR3",
    );
  }
  const dealProof = await connection.ethers.getContractAt("DealProof", dealProofAddress);
  const receipt = await (await dealProof.setMeasurementAllowed(verdict.measurementId, allowed)).wait();
  return {
    measurementId: verdict.measurementId,
    allowed,
    appId: verdict.appId,
    composeHash: verdict.composeHash,
    mode: verdict.mode,
    tcbStatus: verdict.tcbStatus,
    dealProof: dealProofAddress,
    txHash: receipt?.hash,
  };
}
