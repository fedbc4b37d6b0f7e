/**
 * How a person reads a deal id: 0x + 64 hex digits, as events, topics and block explorers show
 * it. One format everywhere (tasks, errors, transcripts, the dapp); the oracle's API paths keep
 * canonical decimal, which is for machines.
 */
export function formatDealId(id: bigint): `0x${string}` {
  return `0x${id.toString(16).padStart(64, "0")}`;
}

/** A short form for tight places (a table cell, a title): 0x1234…abcd, the full id in a tooltip. */
export function shortDealId(id: bigint): string {
  const hex = formatDealId(id);
  return `${hex.slice(0, 6)}…${hex.slice(-4)}`;
}
