/**
 * The oracle's HPKE keyring (DESIGN.md §12): the app-scoped encryption key of each key epoch still
 * named in config, current first. All replicas of one app derive the same keys from the KMS (path
 * `dealproof/oracle/hpke/v<epoch>`). A sealed input does not name the key it was sealed to and
 * HPKE opened with another key fails its AEAD, so opening tries each key in turn: the one
 * function every sealed input goes through (deals now, listings later).
 */
import { hexlify } from "ethers";
import { x25519KeyPairFromSeed } from "../../sdk/src/hpke.ts";
import { SealedInputError } from "../../sdk/src/inputs.ts";
import { DealProofError } from "../../sdk/src/errors.ts";
import type { Hex } from "../../sdk/src/eip712.ts";
import type { TeeBackend } from "./backend.ts";

/** One epoch's key pair. */
export interface KeyEpoch {
  epoch: number;
  publicKey: Hex;
  privateKey: Uint8Array;
}

/** The epochs' keys, current (registered, sealed to by dapps) first. */
export type Keyring = readonly [KeyEpoch, ...KeyEpoch[]];

/** The KMS path of an epoch's HPKE key (epoch 1 is the path every oracle used before epochs). */
export const hpkeKeyPath = (epoch: number) => `dealproof/oracle/hpke/v${epoch}`;

/** Whether a list of epochs (current first) is usable: positive integers, no repeats, at least one. */
export const validEpochs = (epochs: readonly number[]) =>
  epochs.length > 0 &&
  epochs.every((e) => Number.isSafeInteger(e) && e >= 1) &&
  new Set(epochs).size === epochs.length;

function checkEpochs(epochs: readonly number[]): readonly [number, ...number[]] {
  if (!validEpochs(epochs))
    throw new DealProofError(
      "config.key_epochs",
      `key epochs must be distinct positive integers; got ${epochs.join(",")}`,
      {
        hint: 'set DEALPROOF_KEY_EPOCHS to the current epoch first, then the previous ones still in use, e.g. "2,1"',
      },
    );
  return epochs as readonly [number, ...number[]];
}

/** Derives the keyring for `epochs` (current first) from the TEE's KMS. */
export async function loadKeyring(tee: TeeBackend, epochs: readonly number[]): Promise<Keyring> {
  const list = checkEpochs(epochs);
  const pairs = await Promise.all(
    list.map(async (epoch) => {
      const kp = await x25519KeyPairFromSeed(await tee.deriveKey(hpkeKeyPath(epoch)));
      return { epoch, publicKey: hexlify(kp.publicKey) as Hex, privateKey: kp.privateKey };
    }),
  );
  return pairs as unknown as Keyring;
}

/**
 * Opens a sealed input with whichever key of the ring it was sealed to: `open` is tried with each
 * key, current first; a key it cannot open with (sealed_input.cannot_open) moves to the next, any
 * other refusal (it opened but is not valid) is final. Returns the value and the key that opened it.
 */
export async function openWithKeyring<T>(
  keyring: Keyring,
  open: (privateKey: Uint8Array) => Promise<T>,
): Promise<{ value: T; key: KeyEpoch }> {
  let last: unknown;
  for (const key of keyring) {
    try {
      return { value: await open(key.privateKey), key };
    } catch (e) {
      if (!(e instanceof SealedInputError) || e.code !== "sealed_input.cannot_open") throw e;
      last = e;
    }
  }
  throw new SealedInputError(
    "cannot_open",
    `${(last as Error).message.replace(/ with this oracle's key /, " with any key this oracle holds ")} ` +
      `(key epochs ${keyring.map((k) => k.epoch).join(", ")}; an input sealed to a retired epoch's key cannot be opened)`,
    { hint: (last as SealedInputError).hint, cause: last },
  );
}
