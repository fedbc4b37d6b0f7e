/**
 * The one error base of DealProof: every module's expected failures are a `DealProofError` (or a
 * subclass) with a stable `code`, a short `message`, a `hint` saying how to fix it, and the
 * standard `cause`. Callers branch on `code`, never on message text; CLIs and tasks print the
 * message and the hint, never a stack.
 *
 * Codes are dotted and lowercase: `<area>.<reason>`, the area naming the module that throws
 * (`dataset`, `rpc`, `config`, …) and the reason in snake_case (`dataset.fetch_failed`,
 * `rpc.timeout`). The dot keeps them apart from the UPPER_SNAKE codes of ethers
 * (`NETWORK_ERROR`) and the errno codes of Node (`ENOENT`) that travel in the same `cause` chains.
 * A code, once released, never changes meaning; messages may be reworded freely.
 *
 * Invariants: a message or hint never contains a private value (key, budget, floor, email, RPC
 * credentials); `hint` is absent only where the user can do nothing; the guard works across
 * copies of this module (a bundled SDK and the oracle's sources), as it reads a registered
 * symbol rather than `instanceof`.
 */

/** `<area>.<reason>`: lowercase, dotted (see the file's docblock). */
export type DealProofErrorCode = `${Lowercase<string>}.${Lowercase<string>}`;

export interface DealProofErrorOptions {
  /** How to fix it, as one short sentence. Omit only where the user can do nothing. */
  hint?: string;
  /** The failure this one explains (standard ErrorOptions). */
  cause?: unknown;
}

const BRAND = Symbol.for("dealproof.error");

export class DealProofError<C extends DealProofErrorCode = DealProofErrorCode> extends Error {
  override name = "DealProofError";
  readonly code: C;
  readonly hint: string | undefined;

  constructor(code: C, message: string, options: DealProofErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** Whether `e` is a DealProofError, and (with `code`) one with exactly that code. */
export function isDealProofError<C extends DealProofErrorCode>(e: unknown, code?: C): e is DealProofError<C> {
  if (typeof e !== "object" || e === null || (e as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (e as DealProofError).code === code;
}

/** `e` and the errors it wraps through `cause`, outermost first (at most 8: a cycle cannot hang it). */
export function* causeChain(e: unknown): Generator<unknown> {
  for (let cur = e, depth = 0; cur !== undefined && cur !== null && depth < 8; depth++) {
    yield cur;
    cur = (cur as { cause?: unknown }).cause;
  }
}

/**
 * The first DealProofError in `e`'s cause chain (`e` itself first), or undefined: a library may
 * wrap ours (ethers wraps a provider's failure in its own error).
 */
export function findDealProofError(e: unknown): DealProofError | undefined {
  for (const cur of causeChain(e)) if (isDealProofError(cur)) return cur;
  return undefined;
}

/**
 * What a CLI prints for an expected error: the message, then `hint: …` on a line of its own
 * when there is one. Never a stack.
 */
export function formatDealProofError(e: DealProofError): string {
  return e.hint === undefined ? e.message : `${e.message}\nhint: ${e.hint}`;
}
