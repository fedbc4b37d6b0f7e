/**
 * The DealProof dapp: wallet (EIP-6963), listings (browse, one listing with Buy), seller, buyer and deal pages, routed by the URL hash so
 * the static build works on any host. Protocol work is the SDK's; pages hold form state only.
 */
import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { loadConfig, type AppConfig } from "./config.ts";
import { connect, discoverWallets, type AnnouncedWallet, type Connection } from "./wallet.ts";
import { plainError } from "./errors.ts";
import { ErrorLine } from "./components.tsx";
import { SellerPage } from "./seller.tsx";
import { BuyerPage } from "./buyer.tsx";
import { DealPage } from "./deal.tsx";
import { MyDeals } from "./my-deals.tsx";
import { MarketPage } from "./market-page.tsx";
import { ListingPage } from "./listing-page.tsx";
import { SellerListings } from "./seller-listings.tsx";
import "./style.css";

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return hash;
}

function App() {
  const hash = useHash();
  const [config, setConfig] = useState<AppConfig | null>(null);
  const [wallets, setWallets] = useState<AnnouncedWallet[]>([]);
  const [conn, setConn] = useState<Connection | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void loadConfig().then(setConfig);
    return discoverWallets(setWallets);
  }, []);
  useEffect(() => {
    const p = conn?.wallet.provider as unknown as
      { on?: (e: string, f: (x: unknown) => void) => void } | undefined;
    p?.on?.("chainChanged", (id) => setConn((c) => (c === null ? c : { ...c, chainId: Number(id) })));
    p?.on?.("accountsChanged", () => setConn(null));
  }, [conn?.wallet]);

  const chain = conn === null || config === null ? undefined : config.chains[conn.chainId];
  const known = config === null ? [] : Object.values(config.chains);
  const route = hash.replace(/^#\/?/, "");
  let page;
  if (conn === null || chain === undefined) page = null;
  else if (route === "sell") page = <SellerPage conn={conn} chain={chain} />;
  else if (route === "buy") page = <BuyerPage conn={conn} chain={chain} />;
  else if (route === "sell/listings") page = <SellerListings conn={conn} chain={chain} />;
  else if (route === "listings") page = <MarketPage conn={conn} chain={chain} />;
  else if (/^listing\/(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(route))
    page = <ListingPage conn={conn} chain={chain} listingId={BigInt(route.slice(8))} />;
  else if (route.startsWith("deal/"))
    page = <DealPage conn={conn} chain={chain} dealId={BigInt(route.slice(5))} />;
  else page = <MyDeals conn={conn} chain={chain} />;

  return (
    <>
      <header>
        <h1>
          <a href="#/">DealProof</a>
        </h1>
        <nav aria-label="Main">
          <a href="#/">My deals</a> <a href="#/listings">Listings</a> <a href="#/sell">Sell</a>{" "}
          <a href="#/sell/listings">My listings</a> <a href="#/buy">Buy</a>
        </nav>
      </header>
      <main>
        <section aria-label="Wallet" className="wallet">
          {conn === null ? (
            wallets.length === 0 ? (
              <p>No wallet found. Install a browser wallet (EIP-6963), then reload this page.</p>
            ) : (
              wallets.map((w) => (
                <button
                  key={w.info.uuid}
                  onClick={() => {
                    setError(null);
                    connect(w).then(setConn, (e: unknown) => setError(plainError(e)));
                  }}
                >
                  {w.info.icon ? <img src={w.info.icon} alt="" width={20} height={20} /> : null} Connect{" "}
                  {w.info.name}
                </button>
              ))
            )
          ) : (
            <p data-testid="account">
              {conn.wallet.info.name} · <code>{conn.address}</code> · chain {conn.chainId}
            </p>
          )}
          {conn !== null && config !== null && chain === undefined ? (
            <div role="alert" className="error">
              <p>
                Wrong network: DealProof is not deployed on chain {conn.chainId}. Switch your wallet to{" "}
                {known.map((c) => `${c.network} (chain ${c.chainId})`).join(" or ") ||
                  "a chain with a deployment"}
                .
              </p>
              {known.map((c) => (
                <button
                  key={c.chainId}
                  onClick={() =>
                    conn.wallet.provider
                      .request({
                        method: "wallet_switchEthereumChain",
                        params: [{ chainId: `0x${c.chainId.toString(16)}` }],
                      })
                      .catch((e: unknown) => setError(plainError(e)))
                  }
                >
                  Switch to {c.network}
                </button>
              ))}
            </div>
          ) : null}
          <ErrorLine error={error} />
        </section>
        {page}
      </main>
    </>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
