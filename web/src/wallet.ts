/**
 * Wallets: discovered through EIP-6963 (each injected wallet announces an EIP-1193 provider),
 * wrapped in an ethers BrowserProvider. Rejections (EIP-1193 code 4001) become plain words.
 */
import { BrowserProvider, type Eip1193Provider } from "ethers";
import { DealProofError } from "dealproof";

interface WalletInfo {
  uuid: string;
  name: string;
  icon: string;
  rdns: string;
}

export interface AnnouncedWallet {
  info: WalletInfo;
  provider: Eip1193Provider;
}

/** Listens for EIP-6963 announcements and asks wallets to announce; returns the unsubscribe. */
export function discoverWallets(onChange: (wallets: AnnouncedWallet[]) => void): () => void {
  const found = new Map<string, AnnouncedWallet>();
  const onAnnounce = (e: Event) => {
    const d = (e as CustomEvent<AnnouncedWallet>).detail;
    if (d?.info?.uuid === undefined || typeof d.provider?.request !== "function") return;
    found.set(d.info.uuid, d);
    onChange([...found.values()]);
  };
  window.addEventListener("eip6963:announceProvider", onAnnounce);
  window.dispatchEvent(new Event("eip6963:requestProvider"));
  return () => window.removeEventListener("eip6963:announceProvider", onAnnounce);
}

export interface Connection {
  wallet: AnnouncedWallet;
  provider: BrowserProvider;
  address: string;
  chainId: number;
}

export async function connect(wallet: AnnouncedWallet): Promise<Connection> {
  const accounts = (await wallet.provider.request({ method: "eth_requestAccounts" })) as string[];
  if (accounts.length === 0)
    throw new DealProofError("dapp.no_account", "the wallet shared no account", {
      hint: "unlock it and try again",
    });
  const provider = new BrowserProvider(wallet.provider, "any");
  const chainId = Number((await provider.getNetwork()).chainId);
  const signer = await provider.getSigner(accounts[0]);
  return { wallet, provider, address: await signer.getAddress(), chainId };
}

/** Plain words for wallet errors: a rejected request says so; the rest as the wallet put it. */
export function walletErrorText(e: unknown): string | undefined {
  const o = (e ?? {}) as {
    code?: number | string;
    info?: { error?: { code?: number } };
    error?: { code?: number };
  };
  if (
    o.code === 4001 ||
    o.code === "ACTION_REJECTED" ||
    o.info?.error?.code === 4001 ||
    o.error?.code === 4001
  )
    return "you rejected the request in your wallet; nothing was signed or sent";
  return undefined;
}
