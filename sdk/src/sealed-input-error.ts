/**
 * The error of a sealed input that cannot be sealed, opened or accepted (code
 * `sealed_input.<reason>`), in a module of its own so that both the zod-validated inputs
 * (inputs.ts, the `dealproof` entry) and the viem entry's hand-written checks throw the same class
 * without the viem entry importing zod.
 */
import { DealProofError, type DealProofErrorOptions } from "./errors.ts";

export type SealedInputErrorCode = "too_large" | "cannot_open" | "not_json" | "invalid_schema";

/** A sealed input the oracle cannot open or accept: code `sealed_input.<reason>`. */
export class SealedInputError extends DealProofError<`sealed_input.${SealedInputErrorCode}`> {
  override name = "SealedInputError";
  constructor(reason: SealedInputErrorCode, message: string, options?: DealProofErrorOptions) {
    super(`sealed_input.${reason}`, message, options);
  }
}
