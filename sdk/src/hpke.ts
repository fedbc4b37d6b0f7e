/**
 * HPKE (RFC 9180) base mode: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, via @hpke/core.
 * Sealed form: enc (32 bytes) ‖ ciphertext. Keys are raw 32-byte X25519 keys.
 */
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";

const suite = new CipherSuite({
  kem: new DhkemX25519HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Aes256Gcm(),
});
const ENC_LEN = 32;

export interface X25519KeyPair {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

// A fresh ArrayBuffer holding exactly b's bytes. Not `b.slice().buffer`: a Node Buffer's slice() is a
// view, so its .buffer is Node's shared allocation pool (other bytes around b), and any Uint8Array
// subarray has the same problem. The typed-array constructor always copies into a new buffer.
const ab = (b: Uint8Array): ArrayBuffer => new Uint8Array(b).buffer;

async function exportPair(
  pair: Awaited<ReturnType<typeof suite.kem.generateKeyPair>>,
): Promise<X25519KeyPair> {
  return {
    privateKey: new Uint8Array(await suite.kem.serializePrivateKey(pair.privateKey)),
    publicKey: new Uint8Array(await suite.kem.serializePublicKey(pair.publicKey)),
  };
}

export async function generateX25519KeyPair(): Promise<X25519KeyPair> {
  return exportPair(await suite.kem.generateKeyPair());
}

/** RFC 9180 DeriveKeyPair from 32 bytes of secret input keying material (deterministic). */
export async function x25519KeyPairFromSeed(seed: Uint8Array): Promise<X25519KeyPair> {
  if (seed.length < 32) throw new Error("an X25519 seed needs at least 32 bytes");
  return exportPair(await suite.kem.deriveKeyPair(ab(seed)));
}

export async function hpkeSeal(
  recipientPublicKey: Uint8Array,
  info: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  if (recipientPublicKey.length !== 32) throw new Error("an X25519 public key is 32 bytes");
  const pk = await suite.kem.deserializePublicKey(ab(recipientPublicKey));
  const { ct, enc } = await suite.seal({ recipientPublicKey: pk, info: ab(info) }, ab(plaintext), ab(aad));
  const out = new Uint8Array(enc.byteLength + ct.byteLength);
  out.set(new Uint8Array(enc), 0);
  out.set(new Uint8Array(ct), enc.byteLength);
  return out;
}

/** Opens `enc ‖ ciphertext`; throws when the key, info, aad or bytes do not match. */
export async function hpkeOpen(
  privateKey: Uint8Array,
  info: Uint8Array,
  aad: Uint8Array,
  sealed: Uint8Array,
): Promise<Uint8Array> {
  if (sealed.length < ENC_LEN + 16) throw new Error("sealed data is shorter than an HPKE envelope");
  const sk = await suite.kem.deserializePrivateKey(ab(privateKey));
  const pt = await suite.open(
    { recipientKey: sk, enc: ab(sealed.subarray(0, ENC_LEN)), info: ab(info) },
    ab(sealed.subarray(ENC_LEN)),
    ab(aad),
  );
  return new Uint8Array(pt);
}
