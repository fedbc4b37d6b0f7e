/**
 * Which replica holds a deal, as bench:fleet sees it, to time takeovers: with one shared signer
 * (today's replicas, which all work every deal) every replica holds every open deal; with
 * instance signers, the rendezvous rule of DESIGN §12 — rank 0 is the live signer with the lowest
 * keccak256(dealId ‖ signer).
 */
import { solidityPackedKeccak256 } from "ethers";

export function holderOf(
  dealId: string,
  liveSigners: readonly string[],
  asking: string | undefined,
): string | undefined {
  const distinct = [...new Set(liveSigners.map((x) => x.toLowerCase()))];
  if (distinct.length <= 1) return asking;
  const rank = (signer: string) =>
    BigInt(solidityPackedKeccak256(["uint256", "address"], [BigInt(dealId), signer]));
  const best = distinct.reduce((b, x) => (rank(x) < rank(b) ? x : b));
  return liveSigners.find((x) => x.toLowerCase() === best);
}
