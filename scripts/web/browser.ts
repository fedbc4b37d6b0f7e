/**
 * Headless Chromium from npm alone (@sparticuz/chromium's binary driven by playwright-core), the
 * dapp's production build, and an injected test wallet: an EIP-1193 provider announced through
 * EIP-6963 whose requests run in Node with a test key (ethers Wallet) against the local chain.
 * The wallet can lie on purpose — a tampered settlement quote, a rejected request, a foreign
 * chain id — so tests show what the dapp does with each.
 */
import { join } from "node:path";
import chromium from "@sparticuz/chromium";
import { chromium as playwright, type Browser, type BrowserContext } from "playwright-core";
import { build } from "vite";
import { getBytes, hexlify, JsonRpcProvider, Wallet } from "ethers";
import { dealProofInterface, parseSettleCall } from "../../oracle/chain/dealproof.ts";

const web = join(import.meta.dirname, "..", "..", "web");

/** Builds the dapp into `outDir` (with the component-test page when `harness`). */
export async function buildDapp(outDir: string, opts: { harness?: boolean } = {}): Promise<void> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production"; // test runners set "test", which would give React's dev build
  process.env.DEALPROOF_WEB_OUT = outDir;
  if (opts.harness === true) process.env.DEALPROOF_WEB_HARNESS = "1";
  try {
    await build({ configFile: join(web, "vite.config.ts"), logLevel: "warn", mode: "production" });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
    delete process.env.DEALPROOF_WEB_OUT;
    delete process.env.DEALPROOF_WEB_HARNESS;
  }
}

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<LaunchedBrowser> {
  const browser = await playwright.launch({
    executablePath: await chromium.executablePath(),
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  // (Playwright gives the browser a fresh temporary profile of its own and removes it on close.)
  return { browser, close: () => browser.close() };
}

export interface TestWalletControls {
  address: string;
  /** Flip a report_data bit in settleWithQuote calldata that eth_getTransactionByHash returns. */
  tamperQuote: boolean;
  /** Reject the next signature or transaction request as a user would (EIP-1193 code 4001). */
  rejectNext: boolean;
  /** Report this chain id instead of the node's. */
  chainIdOverride?: number;
}

/** Installs the test wallet in every page of `context`; returns switches to misbehave. */
export async function installTestWallet(
  context: BrowserContext,
  opts: { key: string; rpcUrl: string; name?: string },
): Promise<TestWalletControls> {
  const provider = new JsonRpcProvider(opts.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const wallet = new Wallet(opts.key, provider);
  const controls: TestWalletControls = { address: wallet.address, tamperQuote: false, rejectNext: false };
  const rejected = () => ({ error: { code: 4001, message: "User rejected the request." } });
  await context.exposeBinding("__dealproofWallet", async (_src, method: string, params: unknown[]) => {
    try {
      switch (method) {
        case "eth_requestAccounts":
        case "eth_accounts":
          return { result: [wallet.address] };
        case "eth_chainId":
          return {
            result: `0x${(controls.chainIdOverride ?? Number((await provider.getNetwork()).chainId)).toString(16)}`,
          };
        case "wallet_switchEthereumChain":
          return { error: { code: 4902, message: "this test wallet knows one chain" } };
        case "personal_sign": {
          if (controls.rejectNext) return ((controls.rejectNext = false), rejected());
          return { result: await wallet.signMessage(getBytes(params[0] as string)) };
        }
        case "eth_sendTransaction": {
          if (controls.rejectNext) return ((controls.rejectNext = false), rejected());
          const t = params[0] as { to?: string; data?: string; value?: string; gas?: string };
          const tx = await wallet.sendTransaction({
            ...(t.to === undefined ? {} : { to: t.to }),
            ...(t.data === undefined ? {} : { data: t.data }),
            ...(t.value === undefined ? {} : { value: BigInt(t.value) }),
            ...(t.gas === undefined ? {} : { gasLimit: BigInt(t.gas) }),
          });
          return { result: tx.hash };
        }
        case "eth_getTransactionByHash": {
          const r = (await provider.send(method, params)) as { input?: string } | null;
          if (controls.tamperQuote && r?.input !== undefined) {
            const settle = parseSettleCall(r.input);
            if (settle?.method === "settleWithQuote") {
              const q = getBytes(settle.proof).slice();
              q[48 + 520] = q[48 + 520]! ^ 1;
              r.input = dealProofInterface.encodeFunctionData("settleWithQuote", [
                settle.outcome,
                hexlify(q),
              ]);
            }
          }
          return { result: r };
        }
        default:
          return { result: await provider.send(method, params) };
      }
    } catch (e) {
      // A node's JSON-RPC error as a wallet passes it on: a revert keeps code 3 and its data.
      const o = e as {
        data?: string;
        message?: string;
        shortMessage?: string;
        info?: { error?: { code?: number; message?: string; data?: string } };
      };
      const rpc = o.info?.error;
      const data = o.data ?? rpc?.data;
      return {
        error: {
          code: data !== undefined ? 3 : (rpc?.code ?? -32603),
          message: rpc?.message ?? o.shortMessage ?? o.message ?? "request failed",
          ...(data === undefined ? {} : { data }),
        },
      };
    }
  });
  // A plain-JS string: a function would pass through the test runner's TS transform, which
  // may add helpers (__name) that do not exist in the page.
  await context.addInitScript(`(() => {
    const call = window.__dealproofWallet;
    const listeners = new Map();
    const provider = {
      request: async ({ method, params }) => {
        const r = await call(method, params ?? []);
        if (r.error !== undefined) throw Object.assign(new Error(r.error.message), r.error);
        return r.result;
      },
      on: (e, f) => listeners.set(e, [...(listeners.get(e) ?? []), f]),
      removeListener: (e, f) => listeners.set(e, (listeners.get(e) ?? []).filter((g) => g !== f)),
    };
    const info = { uuid: "6b9c1a36-0000-4000-8000-dea1bf00f001", name: ${JSON.stringify(opts.name ?? "DealProof Test Wallet")}, icon: "", rdns: "test.dealproof" };
    const announce = () =>
      window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
    window.addEventListener("eip6963:requestProvider", announce);
    announce();
  })();`);
  return controls;
}
