/**
 * TCB status names by their value in the verifier output (DESIGN.md §4; Automata's current list,
 * 0–9). One list for the contract's errors, the quote reader and the dapp.
 */
export const TCB_STATUS = [
  "UpToDate",
  "SWHardeningNeeded",
  "ConfigAndSWHardeningNeeded",
  "ConfigNeeded",
  "OutOfDate",
  "OutOfDateConfigNeeded",
  "Revoked",
  "Unrecognized",
  "TDRelaunchAdvised",
  "TDRelaunchAdvisedConfigurationNeeded",
] as const;
