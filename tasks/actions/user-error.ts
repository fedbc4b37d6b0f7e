/**
 * How tasks fail: every expected failure is a DealProofError (code, message, hint), and
 * `withPlainErrors` turns it, at the task boundary, into the HardhatPluginError that Hardhat
 * prints as a plain message with its `hint:` line and no stack. Anything else (a bug) reaches
 * Hardhat unchanged, which shows its stack.
 * Invariant: a bad argument always carries a hint (by default, the task's --help).
 */
import { HardhatPluginError } from "hardhat/plugins";
import type { NewTaskDefinition } from "hardhat/types/tasks";
import {
  DealProofError,
  findDealProofError,
  formatDealProofError,
  isDealProofError,
  type DealProofErrorCode,
} from "../../sdk/src/errors.ts";

export interface UserErrorOptions {
  /** Default `task.bad_argument`. */
  code?: DealProofErrorCode;
  /** Default: the cause's hint, or for a bad argument the task's --help. */
  hint?: string;
  cause?: unknown;
}

/** An expected task failure; a DealProofError `cause` lends its hint unless one is given. */
export function userError(message: string, options: UserErrorOptions = {}): DealProofError {
  const hint = options.hint ?? findDealProofError(options.cause)?.hint;
  return new DealProofError(options.code ?? "task.bad_argument", message, {
    ...(hint === undefined ? {} : { hint }),
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}

/**
 * A caught failure as a task error: a DealProofError as it is (with `prefix`, re-worded under the
 * same code and hint); anything else by its message, code `task.failed`.
 */
export function asUserError(e: unknown, prefix = "", options: { hint?: string } = {}): DealProofError {
  const message = `${prefix}${e instanceof Error ? e.message : String(e)}`;
  if (isDealProofError(e) && prefix === "" && options.hint === undefined) return e;
  return userError(message, {
    code: isDealProofError(e) ? e.code : "task.failed",
    cause: e,
    ...(options.hint === undefined ? {} : { hint: options.hint }),
  });
}

/** Joins a cause's hint (if any) and one more piece of advice. */
export function moreHint(e: unknown, advice: string): string {
  const first = findDealProofError(e)?.hint;
  return first === undefined ? advice : `${first}; ${advice}`;
}

/** The text a task prints for an expected failure: the message, then `hint: …`. */
function taskErrorText(e: DealProofError, taskId: readonly string[]): string {
  if (e.hint !== undefined || e.code !== "task.bad_argument") return formatDealProofError(e);
  return formatDealProofError(
    new DealProofError(e.code, e.message, { hint: `see npx hardhat ${taskId.join(" ")} --help` }),
  );
}

/** `task` with its action's expected failures shown as plain messages (see the file's docblock). */
export function withPlainErrors(task: NewTaskDefinition): NewTaskDefinition {
  if (task.action === undefined) return task;
  const load = task.action;
  return {
    ...task,
    action: async () => {
      const action = (await load()).default;
      return {
        default: async (...args: Parameters<typeof action>) => {
          try {
            return (await action(...args)) as unknown;
          } catch (e) {
            // ours, or ours wrapped by a library (ethers wraps a provider's failure)
            const expected = findDealProofError(e);
            if (expected === undefined) throw e;
            throw new HardhatPluginError("dealproof", taskErrorText(expected, task.id), expected);
          }
        },
      };
    },
  };
}
