/**
 * Before a party moves an escrow (createDeal, acceptDeal): is the oracle that will settle the deal
 * up, on this chain and contract, and the very oracle DealProof has registered? A deal sealed to
 * an oracle that is down, or to one whose keys are not the registered ones, sits until its
 * deadline; this refuses first, with what to do, while nothing has moved. Browser-safe, and free
 * of ethers and zod (both entries export it).
 */
import { DealProofError } from "./errors.ts";
import { fetchOracleHealth } from "./oracle-health.ts";
import { oracleSealingKey, type CurrentOracle, type CurrentOracleTuple } from "./oracle-key.ts";

export interface OracleReadyInput {
  /** The oracle API's base URL (or a same-origin path such as "/oracle"). */
  oracleUrl: string;
  chainId: bigint | number;
  /** The DealProof contract address the party is about to call. */
  dealProof: string;
  /** DealProof's `currentOracle()` (ethers or viem shape). */
  current: CurrentOracle | CurrentOracleTuple;
  nowSeconds: bigint | number;
  /** Check only the on-chain registration (the party cannot reach the oracle's API). */
  skipApi?: boolean;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Resolves when the oracle is ready to settle a new deal; else throws a DealProofError saying why. */
export async function checkOracleReady(input: OracleReadyInput): Promise<void> {
  const current: CurrentOracle = Array.isArray(input.current)
    ? { signer: input.current[0], encryptionKey: input.current[1], expiresAt: input.current[2] }
    : (input.current as CurrentOracle);
  oracleSealingKey(current, input.nowSeconds); // not registered, or expired: its own clear error
  if (input.skipApi === true) return;
  let h;
  try {
    h = await fetchOracleHealth(input.oracleUrl);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new DealProofError(
      "oracle.unavailable",
      `the oracle does not answer (${why}): a deal made now would wait for it until its deadline`,
      {
        hint: "nothing has moved; start the oracle or point at the right one, then try again",
        cause: e,
      },
    );
  }
  if (BigInt(h.chainId) !== BigInt(input.chainId) || !same(h.dealProof, input.dealProof))
    throw new DealProofError(
      "oracle.wrong_deployment",
      `the oracle at ${input.oracleUrl} serves DealProof ${h.dealProof} on chain ${h.chainId}, ` +
        `not ${input.dealProof} on chain ${input.chainId}`,
      { hint: "nothing has moved; point at the oracle of this deployment" },
    );
  if (!same(h.signer, current.signer) || !same(h.encryptionKey, current.encryptionKey))
    throw new DealProofError(
      "oracle.not_registered",
      `the oracle at ${input.oracleUrl} (signer ${h.signer}) is not the oracle registered on DealProof ` +
        `(signer ${current.signer}): it could neither open your sealed input nor settle the deal`,
      {
        hint: "nothing has moved; wait until this oracle has registered itself on DealProof, or use the registered one",
      },
    );
}
