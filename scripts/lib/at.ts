/** `arr[i]`, or a clear error when it is missing (for strict indexed access). */
export function at<T>(arr: readonly T[], i: number, what = "element"): T {
  const v = arr[i];
  if (v === undefined) throw new Error(`${what} #${i} is missing (only ${arr.length})`);
  return v;
}
