/**
 * The oracle's identity, derived from the TEE so that a restarted oracle has the same keys (and
 * in-flight sealed inputs stay readable): a secp256k1 signer for settleWithSignature, scoped to
 * this TEE instance (each replica of the app has its own, revocable alone: DESIGN.md §12), and
 * the app-scoped X25519 HPKE keyring parties seal their inputs to (keyring.ts: the current key
 * epoch first, the previous ones still open).
 */
import { SigningKey, Wallet, hexlify, getBytes } from "ethers";
import { secp256k1 } from "@noble/curves/secp256k1";
import {
  instanceIdBytes32,
  registrationDigest,
  reportDataFor,
  type Eip712Domain,
  type Hex,
} from "../../sdk/src/eip712.ts";
import { loadKeyring, type Keyring } from "./keyring.ts";
import type { TeeBackend, TeeQuote } from "./backend.ts";
import { parseQuote } from "../quote/reader.ts";
import { checkTdAttributes } from "../../sdk/src/td-attributes.ts";
import { DealProofError } from "../../sdk/src/errors.ts";

/** The KMS path of an instance's signer key (`instanceId` as the TEE reports it, lowercase). */
export const signerKeyPath = (instanceId: string) =>
  `dealproof/oracle/signer/v2/${instanceId.replace(/^0x/, "").toLowerCase()}`;

export interface OracleIdentity {
  address: Hex;
  /** This TEE instance's id as registered (bytes32, instanceIdBytes32). */
  instanceId: Hex;
  /** 65-byte r ‖ s ‖ v ECDSA signature over a 32-byte digest. */
  signDigest(digest: string): Hex;
  /** The current key epoch's public key: what is registered and sealed to. */
  encryptionPublicKey: Hex;
  /** The current key epoch's private key. */
  encryptionPrivateKey: Uint8Array;
  /** Every key epoch still held, current first. */
  keyring: Keyring;
  /** The signer as an ethers Wallet (never log it). */
  wallet(): Wallet;
}

/** Maps 32 derived bytes to a valid secp256k1 scalar (1 ≤ k < n). */
function toScalar(bytes: Uint8Array): Uint8Array {
  const n = secp256k1.CURVE.n;
  const k = (BigInt(hexlify(bytes)) % (n - 1n)) + 1n;
  return getBytes("0x" + k.toString(16).padStart(64, "0"));
}

/**
 * The identity of this TEE instance: its signer from `signerKeyPath(info().instanceId)`, and the
 * keyring of `keyEpochs` (current first; default [1], the key every oracle used before epochs).
 */
export async function loadOracleIdentity(
  tee: TeeBackend,
  opts: { keyEpochs?: readonly number[] } = {},
): Promise<OracleIdentity> {
  const { instanceId } = await tee.info();
  const signingKey = new SigningKey(toScalar(await tee.deriveKey(signerKeyPath(instanceId))));
  const keyring = await loadKeyring(tee, opts.keyEpochs ?? [1]);
  const address = new Wallet(signingKey).address as Hex;
  return {
    address,
    instanceId: instanceIdBytes32(instanceId),
    signDigest: (digest) => signingKey.sign(digest).serialized as Hex,
    encryptionPublicKey: keyring[0].publicKey,
    encryptionPrivateKey: keyring[0].privateKey,
    keyring,
    wallet: () => new Wallet(signingKey),
  };
}

/**
 * The quote for `DealProof.registerOracle(signer, key, instanceId, issuedAt, quote)`: report_data
 * = OracleRegistration(signer, key, instanceId, issuedAt) digest ‖ 32 zeros. `issuedAt` should be the chain's
 * latest block time: the contract refuses one in the future or older than its freshness window.
 */
export async function registrationQuote(
  tee: TeeBackend,
  id: OracleIdentity,
  domain: Eip712Domain,
  issuedAt: bigint,
): Promise<TeeQuote & { issuedAt: bigint }> {
  const q = await tee.getQuote(
    reportDataFor(registrationDigest(domain, id.address, id.encryptionPublicKey, id.instanceId, issuedAt)),
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
