/**
 * Allows (or disallows) a CVM's measurement id in DealProof after verifying its quote (TD
 * attributes included), the RTMR3 replay of its event log and the expected compose hash: the
 * operator's `measurement:allow`. Allowing widens trust, so it is a scheduled change
 * (DESIGN.md §2): the first run schedules it and announces it; a run after the contract's
 * CHANGE_DELAY executes it (with a delay of 0, on local chains, both happen in one run).
 * Disallowing narrows trust and takes effect at once.
 */
import type { NetworkConnection } from "hardhat/types/network";
import { runVerifyQuote, type VerifyQuoteArgs } from "../../oracle/cli/verify-quote-command.ts";
import { CHANGE_KIND } from "../../sdk/src/deal-state.ts";
import { DealProofError } from "../../sdk/src/errors.ts";
import { connectDealProof } from "../../oracle/chain/dealproof.ts";

const CHANGE_KIND_ALLOW_MEASUREMENT = CHANGE_KIND.indexOf("AllowMeasurement");

export interface AllowResult {
  measurementId: string;
  allowed: boolean;
  /** What this run did: executed (now allowed), scheduled (allowed once ready), already allowed, disallowed. */
  action: "executed" | "scheduled" | "already-allowed" | "disallowed";
  changeId: string | null;
  /** Unix seconds from which a scheduled change can be executed (null unless scheduled). */
  readyAt: number | null;
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
    throw new DealProofError(
      "measurement.no_compose_hash",
      "the compose hash must be 32 bytes of hex: allowing a measurement without it would trust any app",
      { hint: "pass --compose-hash (phala:app-compose prints it)" },
    );
  }
  const verdict = runVerifyQuote(args);
  if (!verdict.ok || verdict.measurementId === null) {
    const failed = verdict.checks.filter((c) => !c.passed).map((c) => `${c.name} (${c.detail})`);
    throw new DealProofError(
      "measurement.quote_failed",
      `not allowing: the quote failed ${failed.join("; ")}`,
      {
        hint: "run verify-quote on the same quote and options to see each check",
      },
    );
  }
  if (!verdict.checks.some((c) => c.name === "composeHash" && c.passed)) {
    throw new DealProofError(
      "measurement.compose_unchecked",
      "not allowing: the compose hash was not checked against an event log that replays to RTMR3",
      { hint: "pass the CVM's event log (--event-log, or a GetQuote JSON that carries it)" },
    );
  }
  const id = verdict.measurementId;
  const [owner] = await connection.ethers.getSigners();
  const dealProof = connectDealProof(dealProofAddress, owner ?? connection.ethers.provider);
  const base = {
    measurementId: id,
    appId: verdict.appId,
    composeHash: verdict.composeHash,
    mode: verdict.mode,
    tcbStatus: verdict.tcbStatus,
    dealProof: dealProofAddress,
  };
  if (!allowed) {
    const receipt = await (await dealProof.disallowMeasurement(id)).wait();
    return {
      ...base,
      allowed: false,
      action: "disallowed",
      changeId: null,
      readyAt: null,
      txHash: receipt?.hash,
    };
  }
  if (await dealProof.allowedMeasurements(id)) {
    return {
      ...base,
      allowed: true,
      action: "already-allowed",
      changeId: null,
      readyAt: null,
      txHash: undefined,
    };
  }
  const changeId = await dealProof.changeIdFor(CHANGE_KIND_ALLOW_MEASUREMENT, id);
  const pending = (await dealProof.pendingChanges()).find((c) => c.changeId === changeId);
  let readyAt = pending?.readyAt;
  let txHash: string | undefined;
  if (readyAt === undefined) {
    const receipt = await (await dealProof.scheduleChange(CHANGE_KIND_ALLOW_MEASUREMENT, id)).wait();
    txHash = receipt?.hash;
    readyAt = (await dealProof.pendingChanges()).find((c) => c.changeId === changeId)?.readyAt;
    if (readyAt === undefined)
      throw new DealProofError(
        "measurement.not_scheduled",
        `scheduling change ${changeId} left nothing pending`,
        {
          hint: "run measurement:allow again",
        },
      );
  }
  const now = BigInt((await connection.ethers.provider.getBlock("latest"))!.timestamp);
  if (readyAt > now) {
    return { ...base, allowed: false, action: "scheduled", changeId, readyAt: Number(readyAt), txHash };
  }
  const receipt = await (await dealProof.executeChange(changeId)).wait();
  return {
    ...base,
    allowed: true,
    action: "executed",
    changeId,
    readyAt: Number(readyAt),
    txHash: receipt?.hash,
  };
}
