/**
 * Block explorers by chain id, for links to a transaction or an address: Etherscan for Ethereum
 * mainnet and Sepolia; none for local chains (31337) or any chain not listed, where the dapp
 * shows the hash alone.
 */
const EXPLORERS: Readonly<Record<number, string>> = {
  1: "https://etherscan.io",
  11155111: "https://sepolia.etherscan.io",
};

/** The explorer page of a transaction, or undefined where the chain has no explorer. */
export function txUrl(chainId: number, hash: string): string | undefined {
  const base = EXPLORERS[chainId];
  return base === undefined ? undefined : `${base}/tx/${hash}`;
}

/** The explorer page of an address, or undefined where the chain has no explorer. */
export function addressUrl(chainId: number, address: string): string | undefined {
  const base = EXPLORERS[chainId];
  return base === undefined ? undefined : `${base}/address/${address}`;
}
