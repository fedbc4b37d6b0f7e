/** The dataset layer's error: one class, a code per reason (see DatasetErrorCode). */
import { DealProofError, type DealProofErrorOptions } from "../../sdk/src/errors.ts";

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
  | "bad_proof"
  | "bad_delivery";

/**
 * A dataset problem: code `dataset.<reason>` (the daemon records the reason) and a message that
 * says what to fix.
 */
export class DatasetError extends DealProofError<`dataset.${DatasetErrorCode}`> {
  override name = "DatasetError";
  constructor(reason: DatasetErrorCode, message: string, options?: DealProofErrorOptions) {
    super(`dataset.${reason}`, message, options);
  }
}
