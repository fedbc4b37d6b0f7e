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

/** A dataset problem with a code the daemon records and a message that says what to fix. */
export class DatasetError extends Error {
  override name = "DatasetError";
  readonly code: DatasetErrorCode;
  constructor(code: DatasetErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
