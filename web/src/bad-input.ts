/**
 * A form value or a step the user must fix: a DealProofError (code `dapp.bad_input`) that the dapp
 * shows as its message and hint. It imports the SDK's error module by path, not through the
 * `dealproof` alias, because the key-file reader that uses it is also unit-tested under Node.
 */
import { DealProofError } from "../../sdk/src/errors.ts";

export function badInput(message: string, hint?: string): DealProofError {
  return new DealProofError("dapp.bad_input", message, hint === undefined ? {} : { hint });
}
