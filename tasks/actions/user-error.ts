/** Errors a task shows as a plain message (Hardhat prints HardhatPluginError without a stack trace). */
import { HardhatPluginError } from "hardhat/plugins";

export function userError(message: string): HardhatPluginError {
  return new HardhatPluginError("dealproof", message);
}
