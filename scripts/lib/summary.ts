/** Test-count reading for scripts/test.ts. */
export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/** Reads a runner's own summary block (mocha's and Hardhat's Solidity runner share its shape). */
export function parseSummary(output: string): Counts | undefined {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const first = (word: string): number | undefined => {
    const m = new RegExp(`^\\s+(\\d+) ${word}\\b`, "m").exec(plain);
    return m ? Number(m[1]) : undefined;
  };
  const passed = first("passing");
  const failed = first("failing");
  if (passed === undefined && failed === undefined) return undefined;
  return { passed: passed ?? 0, failed: failed ?? 0, skipped: first("pending") ?? 0 };
}
