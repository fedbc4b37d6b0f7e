/**
 * The one dataset error class (issue 22): every `dataset.*` failure — committing, encrypting or
 * decrypting a dataset in the SDK or the browser, fetching and verifying it in the oracle, opening
 * a key delivery — is a DatasetError, a DealProofError whose code is `dataset.<reason>` and whose
 * message says what to fix. The daemon records the reason (the part after the dot) as released.
 */
import { DealProofError, type DealProofErrorOptions } from "./errors.ts";

export type DatasetErrorCode =
  | "empty"
  | "fetch_failed"
  /** The location breaks the oracle's location policy (production: https:// to public hosts only). */
  | "location_refused"
  | "too_large"
  | "bad_format"
  | "decrypt_failed"
  | "truncated"
  | "root_mismatch"
  /** A key delivery that does not open with the buyer's key, or whose payload is malformed. */
  | "bad_delivery"
  /** The page has no WebCrypto (the browser SDK needs it to hash and decrypt). */
  | "no_webcrypto";

/** A dataset problem: code `dataset.<reason>` and a message that says what to fix. */
export class DatasetError extends DealProofError<`dataset.${DatasetErrorCode}`> {
  override name = "DatasetError";
  constructor(reason: DatasetErrorCode, message: string, options?: DealProofErrorOptions) {
    super(`dataset.${reason}`, message, options);
  }
}
