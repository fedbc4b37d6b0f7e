/**
 * Where the dapp finds DealProof and the oracle: the SDK's public deployments, plus an optional
 * `config.json` beside index.html (a local chain's deployment and the oracle's URL), so one
 * static build serves any host. Invariant: a chain without a deployment is never used.
 */
import { DEPLOYMENTS } from "dealproof";

export interface ChainConfig {
  chainId: number;
  network: string;
  dealProof: string;
  deployBlock: number;
  /** The oracle API: absolute, or a same-origin path such as "/oracle". */
  oracleUrl: string;
}

export interface AppConfig {
  chains: Record<number, ChainConfig>;
}

export async function loadConfig(): Promise<AppConfig> {
  const chains: Record<number, ChainConfig> = {};
  for (const [id, d] of Object.entries(DEPLOYMENTS))
    chains[Number(id)] = {
      chainId: Number(id),
      network: d.network,
      dealProof: d.dealProof,
      deployBlock: d.deployBlock,
      oracleUrl: "/oracle",
    };
  try {
    const res = await fetch("./config.json", { cache: "no-store" });
    if (res.ok) {
      const extra = (await res.json()) as { chains?: ChainConfig[] };
      for (const c of extra.chains ?? []) chains[c.chainId] = c;
    }
  } catch {
    // no config.json: public deployments only
  }
  return { chains };
}
