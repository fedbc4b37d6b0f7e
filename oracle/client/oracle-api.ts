/**
 * The parties' client of the oracle's HTTP API: a deal's public status (with the no-deal reason)
 * and, after a wallet sign-in, its terms and transcript, checked against the hashes DealProof
 * recorded at settlement. The sign-in exchange is `signIn` alone, so it can follow the API.
 */
import { keccak256, toUtf8Bytes, type Signer } from "ethers";

const TIMEOUT_MS = 5000;

async function getJson(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    throw new Error(
      `cannot reach the oracle at ${new URL(url).origin} (${(e as Error).message}): is it running, and is --oracle right?`,
      { cause: e },
    );
  }
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new Error(`the oracle answered ${res.status}: ${body.error ?? res.statusText}`);
  return body;
}

export interface OracleDealStatus {
  status: string;
  outcome: {
    agreed: boolean;
    priceWei: string;
    termsHash: string;
    transcriptHash: string;
    reason: string;
  } | null;
  lastError: string | null;
}

/** GET /deals/:id — public: status, outcome and the no-deal reason. */
export async function oracleDealStatus(oracleUrl: string, dealId: bigint): Promise<OracleDealStatus> {
  return (await getJson(new URL(`/deals/${dealId}`, oracleUrl).href)) as OracleDealStatus;
}

/** Sign-in: the oracle's challenge (EIP-4361 text) signed with the wallet (EIP-191). */
async function signIn(oracleUrl: string, dealId: bigint, signer: Signer): Promise<Record<string, string>> {
  const address = await signer.getAddress();
  const c = (await getJson(
    new URL(`/auth/challenge?address=${address}&dealId=${dealId}`, oracleUrl).href,
  )) as { message: string };
  const signature = await signer.signMessage(c.message);
  return {
    "x-dealproof-message": Buffer.from(c.message, "utf8").toString("base64"),
    "x-dealproof-signature": signature,
  };
}

export interface DealTranscript {
  termsJson: string;
  transcriptJson: string;
  terms: unknown;
  transcript: unknown;
}

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
  const headers = await signIn(oracleUrl, dealId, signer);
  const r = (await getJson(new URL(`/deals/${dealId}/transcript`, oracleUrl).href, headers)) as {
    termsJson: string;
    transcriptJson: string;
  };
  if (keccak256(toUtf8Bytes(r.transcriptJson)) !== expected.transcriptHash.toLowerCase())
    throw new Error("the oracle's transcript does not hash to the transcriptHash settled on-chain");
  if (keccak256(toUtf8Bytes(r.termsJson)) !== expected.termsHash.toLowerCase())
    throw new Error("the oracle's terms do not hash to the termsHash settled on-chain");
  return { ...r, terms: JSON.parse(r.termsJson), transcript: JSON.parse(r.transcriptJson) };
}
