/**
 * The oracle's identity, derived from the TEE so that a restarted oracle has the same keys (and
 * in-flight sealed inputs stay readable): a secp256k1 signer for settleWithSignature and an
 * X25519 HPKE key pair that parties seal their inputs to.
 */
import { SigningKey, Wallet, hexlify, getBytes } from "ethers";
import { secp256k1 } from "@noble/curves/secp256k1";
import { x25519KeyPairFromSeed } from "../../sdk/src/hpke.ts";
import { registrationDigest, reportDataFor, type Eip712Domain, type Hex } from "../../sdk/src/eip712.ts";
import type { TeeBackend, TeeQuote } from "./backend.ts";
import { parseQuote } from "../quote/reader.ts";
import { checkTdAttributes } from "../../sdk/src/td-attributes.ts";
import { DealProofError } from "../../sdk/src/errors.ts";

const SIGNER_KEY_PATH = "dealproof/oracle/signer/v1";
const HPKE_KEY_PATH = "dealproof/oracle/hpke/v1";

export interface OracleIdentity {
  address: Hex;
  /** 65-byte r ‖ s ‖ v ECDSA signature over a 32-byte digest. */
  signDigest(digest: string): Hex;
  encryptionPublicKey: Hex;
  encryptionPrivateKey: Uint8Array;
  /** The signer as an ethers Wallet (never log it). */
  wallet(): Wallet;
}

/** Maps 32 derived bytes to a valid secp256k1 scalar (1 ≤ k < n). */
function toScalar(bytes: Uint8Array): Uint8Array {
  const n = secp256k1.CURVE.n;
  const k = (BigInt(hexlify(bytes)) % (n - 1n)) + 1n;
  return getBytes("0x" + k.toString(16).padStart(64, "0"));
}

export async function loadOracleIdentity(tee: TeeBackend): Promise<OracleIdentity> {
  const signingKey = new SigningKey(toScalar(await tee.deriveKey(SIGNER_KEY_PATH)));
  const hpke = await x25519KeyPairFromSeed(await tee.deriveKey(HPKE_KEY_PATH));
  const address = new Wallet(signingKey).address as Hex;
  return {
    address,
    signDigest: (digest) => signingKey.sign(digest).serialized as Hex,
    encryptionPublicKey: hexlify(hpke.publicKey) as Hex,
    encryptionPrivateKey: hpke.privateKey,
    wallet: () => new Wallet(signingKey),
  };
}

/**
 * The quote for `DealProof.registerOracle(signer, key, issuedAt, quote)`: report_data =
 * OracleRegistration(signer, key, issuedAt) digest ‖ 32 zeros. `issuedAt` should be the chain's
 * latest block time: the contract refuses one in the future or older than its freshness window.
 */
export async function registrationQuote(
  tee: TeeBackend,
  id: OracleIdentity,
  domain: Eip712Domain,
  issuedAt: bigint,
): Promise<TeeQuote & { issuedAt: bigint }> {
  const q = await tee.getQuote(
    reportDataFor(registrationDigest(domain, id.address, id.encryptionPublicKey, issuedAt)),
  );
  // DealProof refuses such a TD (TdAttributesRejected); say why before paying for the transaction
  const td = checkTdAttributes(parseQuote(q.quote).body.tdAttributes);
  if (!td.ok)
    throw new DealProofError(
      "tee.td_rejected",
      `this TD cannot register with DealProof: ${td.problems.join("; ")}`,
      {
        hint: "run the oracle in a production (non-debug) TD as dstack launches it",
      },
    );
  return { ...q, issuedAt };
}
