/**
 * docs/sdk.md's examples run as written: every ```ts runnable``` block (the viem buyer on
 * `dealproof/viem`; watching a deal with the viem decorator; both parties with ethers and the
 * SDK's prepareDeal / acceptDeal; a listing published by its seller, listed and bought by a buyer
 * with the viem decorator) is written to a module whose only change is that "dealproof"
 * and "dealproof/viem" resolve to sdk/src, then called against a local chain (a fresh
 * DealProof with a registered oracle whose HPKE key we hold) and the oracle's real HTTP API.
 * The wallet is the node's own EIP-1193 provider (its accounts are unlocked).
 */
import { expect } from "chai";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { getBytes, hexlify } from "ethers";
import { deployFixture, registerOracle, dataRoot, openDeal } from "../fixtures/deal-proof.ts";
import { x25519 } from "@noble/curves/ed25519";
import { openBuyerInput, openListingSellerInput, openSellerInput } from "../../sdk/src/inputs.ts";
import { x25519KeyPairFromSeed } from "../../sdk/src/hpke.ts";
import { formatDealId } from "../../sdk/src/deal-id.ts";
import { createApi } from "../../oracle/api/server.ts";
import { Store } from "../../oracle/daemon/store.ts";
import { viemClientFor } from "../../oracle/chain/viem-client.ts";
import { rejects } from "../helpers.ts";

const root = join(import.meta.dirname, "..", "..");

const until = async (cond: () => boolean, ms = 15_000) => {
  for (const end = Date.now() + ms; !cond();) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** The ```ts runnable``` blocks of a markdown text, in order. */
export function runnableBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts runnable\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** Writes block `i` of docs/sdk.md to a module whose "dealproof" is sdk/src, and imports it. */
async function loadBlock<T>(dir: string, i: number, name: string): Promise<T> {
  const blocks = runnableBlocks(readFileSync(join(root, "docs", "sdk.md"), "utf8"));
  expect(blocks).to.have.length(4);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.ts`);
  const sdk = pathToFileURL(join(root, "sdk", "src", "index.ts")).href;
  const viem = pathToFileURL(join(root, "sdk", "src", "viem", "index.ts")).href;
  writeFileSync(
    file,
    blocks[i]!.replaceAll('from "dealproof/viem"', `from "${viem}"`).replaceAll(
      'from "dealproof"',
      `from "${sdk}"`,
    ),
  );
  return (await import(pathToFileURL(file).href)) as T;
}

/**
 * A fresh DealProof with a registered oracle whose HPKE key we hold, the oracle's real HTTP API
 * in front of it, and a wallet as a dapp sees one: the node's EIP-1193 provider, where
 * eth_requestAccounts answers the node's unlocked accounts.
 */
async function docChain() {
  const f = await deployFixture();
  const oracleKeys = await x25519KeyPairFromSeed(new Uint8Array(32).fill(7));
  await registerOracle(f, hexlify(oracleKeys.publicKey) as `0x${string}`);
  const current = await f.dealProof.currentOracle();
  const api = createApi({
    store: new Store(":memory:"),
    deployment: {
      network: "hardhat",
      chainId: Number(f.chainId),
      dealProof: f.address,
      verifier: await f.mock.getAddress(),
      verifierKind: "simulated",
      deployBlock: 0,
      deployedAt: new Date().toISOString(),
    },
    teeMode: "simulator",
    settleMode: "signature",
    signer: current.signer,
    encryptionKey: current.encryptionKey,
    measurementId: current.measurementId,
    registrationExpiresAt: () => current.expiresAt,
    publicUrl: "http://127.0.0.1",
    corsOrigins: [],
    chainClient: viemClientFor(f.ethers.provider),
  });
  const oracleUrl = await api.listen(0, "127.0.0.1");
  const node = f.connection.provider;
  const ethereum = {
    request: (a: { method: string; params?: unknown[] }) =>
      node.request(a.method === "eth_requestAccounts" ? { method: "eth_accounts" } : a),
    on: () => undefined,
    removeListener: () => undefined,
  };
  const close = async () => {
    api.server.closeAllConnections();
    await new Promise<void>((r) => api.server.close(() => r()));
  };
  return { f, oracleKeys, oracleUrl, ethereum, close };
}

describe("docs/sdk.md: the examples run as written", function () {
  this.timeout(120_000);
  const dir = join(root, ".dealproof", `doc-examples-${process.pid}`);
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("the viem buyer creates a deal: the oracle checked, the key saved before the escrow, the input sealed", async () => {
    const { createDealAsBuyer } = await loadBlock<{
      createDealAsBuyer: (input: unknown) => Promise<{ dealId: string; hash: string }>;
    }>(dir, 0, "viem-buyer");
    const { f, oracleKeys, oracleUrl, ethereum, close } = await docChain();
    try {
      const seller = (await f.seller.getAddress()) as `0x${string}`;
      const buyer = f.owner.address; // the node's first account
      let saved: string | undefined;
      let escrowWhenSaved = -1n;
      const run = (url: string) =>
        createDealAsBuyer({
          ethereum,
          dealProof: f.address,
          oracleUrl: url,
          seller,
          dataRoot: dataRoot(3),
          saveDeliveryKey: async (hex: string) => {
            saved = hex;
            escrowWhenSaved = await f.ethers.provider.getBalance(f.address);
          },
        });

      // the oracle down: refused before the key is handed out or anything moves
      const before = await f.ethers.provider.getBalance(buyer);
      await rejects(
        run("http://127.0.0.1:9"),
        /the oracle does not answer \(cannot reach the oracle at http:\/\/127\.0\.0\.1:9\/health/,
      );
      expect(saved).to.equal(undefined);
      expect(await f.ethers.provider.getBalance(buyer)).to.equal(before);

      const { dealId, hash } = await run(oracleUrl);
      expect(dealId).to.match(/^0x[0-9a-f]{64}$/);
      expect(hash).to.match(/^0x[0-9a-f]{64}$/);
      expect(escrowWhenSaved, "the key was saved while the contract held no escrow").to.equal(0n);
      const d = await f.dealProof.getDeal(BigInt(dealId));
      expect([d.state, d.buyer, d.seller, d.escrow]).to.deep.equal([1n, buyer, seller, 15n * 10n ** 17n]);
      // the sealed input opens with the oracle's key and names the saved delivery key
      const [log] = await f.dealProof.queryFilter(f.dealProof.filters.DealCreated(BigInt(dealId)));
      const sealed = getBytes(
        (log as unknown as { args: { sealedBuyerInput: string } }).args.sealedBuyerInput,
      );
      const opened = await openBuyerInput(
        oracleKeys.privateKey,
        { chainId: f.chainId, contract: f.address, dealId: BigInt(dealId) },
        sealed,
      );
      // the saved private key is the one whose public half the oracle will seal the delivery to
      expect(opened.deliveryPublicKey).to.equal(hexlify(x25519.getPublicKey(getBytes(saved!))));
      expect(formatDealId(BigInt(dealId))).to.equal(dealId);
    } finally {
      await close();
    }
  });

  it("watching a deal: its status in words now and after each of its events, refundable by chain time", async () => {
    const { followDeal } = await loadBlock<{
      followDeal: (input: unknown) => () => void;
    }>(dir, 1, "viem-watch");
    const { f, close } = await docChain();
    try {
      const { dealId, deadline } = await openDeal(f, { accept: false, duration: 600 });
      const lines: string[] = [];
      const stop = followDeal({
        ethereum: f.connection.provider,
        dealProof: f.address,
        dealId,
        show: (l: string) => lines.push(l),
      });
      try {
        await until(() => lines.length >= 1);
        expect(lines[0]).to.match(/^now: open \(deal 0x[0-9a-f]{64} waits for the seller to accept it\)$/);
        await (await f.dealProof.connect(f.seller).acceptDeal(dealId, "0xaa55")).wait();
        await until(() => lines.some((l) => l.startsWith("DealAccepted: ")));
        expect(lines.find((l) => l.startsWith("DealAccepted: "))).to.match(/^DealAccepted: accepted \(/);
        await f.networkHelpers.time.increaseTo(deadline + 1);
        await (await f.dealProof.connect(f.buyer).refund(dealId)).wait();
        await until(() => lines.some((l) => l.startsWith("DealRefunded: ")));
        expect(lines.find((l) => l.startsWith("DealRefunded: "))).to.match(
          /^DealRefunded: refunded \(deal 0x[0-9a-f]{64} was refunded: the buyer can withdraw its escrow/,
        );
        // a deal that passed its deadline unsettled reads "refundable" before anyone calls refund
        const other = await openDeal(f, { accept: true, duration: 600, root: dataRoot(9) });
        await f.networkHelpers.time.increaseTo(other.deadline + 1);
        const seen: string[] = [];
        const stop2 = followDeal({
          ethereum: f.connection.provider,
          dealProof: f.address,
          dealId: other.dealId,
          show: (l: string) => seen.push(l),
        });
        try {
          await until(() => seen.length >= 1);
          expect(seen[0]).to.match(/^now: refundable \(deal 0x[0-9a-f]{64} passed its deadline unsettled/);
        } finally {
          stop2();
        }
      } finally {
        stop();
      }
    } finally {
      await close();
    }
  });

  it("with ethers, the buyer prepares, saves the key, sends; the seller accepts; both inputs sealed for the deal", async () => {
    const { buyerCreates, sellerAccepts } = await loadBlock<{
      buyerCreates: (input: unknown) => Promise<{ dealId: string; hash: string }>;
      sellerAccepts: (input: unknown) => Promise<{ hash: string }>;
    }>(dir, 2, "ethers-parties");
    const { f, oracleKeys, oracleUrl, ethereum, close } = await docChain();
    try {
      const seller = await f.seller.getAddress();
      const buyer = f.owner.address; // the node's first account: the wallet's default signer
      let saved: string | undefined;
      let escrowWhenSaved = -1n;
      const common = { ethereum, dealProof: f.address, seller };
      const create = (url: string) =>
        buyerCreates({
          ...common,
          oracleUrl: url,
          dataRoot: dataRoot(8),
          saveDeliveryKey: async (hex: string) => {
            saved = hex;
            escrowWhenSaved = await f.ethers.provider.getBalance(f.address);
          },
        });
      await rejects(create("http://127.0.0.1:9"), /the oracle does not answer/);
      expect(saved).to.equal(undefined);

      const { dealId, hash } = await create(oracleUrl);
      expect(hash).to.match(/^0x[0-9a-f]{64}$/);
      expect(escrowWhenSaved, "the key was saved while the contract held no escrow").to.equal(0n);
      const d = await f.dealProof.getDeal(BigInt(dealId));
      expect([d.state, d.buyer, d.seller, d.escrow]).to.deep.equal([1n, buyer, seller, 15n * 10n ** 17n]);
      const ctx = { chainId: f.chainId, contract: f.address, dealId: BigInt(dealId) };
      const [created] = await f.dealProof.queryFilter(f.dealProof.filters.DealCreated(BigInt(dealId)));
      const buyerInput = await openBuyerInput(
        oracleKeys.privateKey,
        ctx,
        getBytes((created as unknown as { args: { sealedBuyerInput: string } }).args.sealedBuyerInput),
      );
      expect(buyerInput.deliveryPublicKey).to.equal(hexlify(x25519.getPublicKey(getBytes(saved!))));
      expect(buyerInput.checks?.checks.map((c) => c.kind)).to.deep.equal(["rowCount", "column"]);

      const dataset = {
        location: "https://example.com/streets.enc",
        key: hexlify(new Uint8Array(32).fill(2)),
        chunkSize: 65536,
      };
      const accepted = await sellerAccepts({ ...common, oracleUrl, dealId, dataset });
      expect(accepted.hash).to.match(/^0x[0-9a-f]{64}$/);
      expect((await f.dealProof.getDeal(BigInt(dealId))).state).to.equal(2n);
      const [acc] = await f.dealProof.queryFilter(f.dealProof.filters.DealAccepted(BigInt(dealId)));
      const sellerInput = await openSellerInput(
        oracleKeys.privateKey,
        ctx,
        getBytes((acc as unknown as { args: { sealedSellerInput: string } }).args.sealedSellerInput),
      );
      expect(sellerInput.dataset).to.deep.equal(dataset);
      expect(sellerInput.floorWei).to.equal((5n * 10n ** 17n).toString());
    } finally {
      await close();
    }
  });
  it("a listing: the seller publishes (input sealed to the listing), the buyer lists and buys at the posted price, the status read", async () => {
    const { sellerPublishes, buyerBuys } = await loadBlock<{
      sellerPublishes: (input: unknown) => Promise<{ listingId: bigint; hash: string }>;
      buyerBuys: (
        input: unknown,
      ) => Promise<{ dealId: string; status: string; words: string; sales: number }>;
    }>(dir, 3, "viem-listing");
    const { f, oracleKeys, ethereum, close } = await docChain();
    try {
      const seller = (await f.seller.getAddress()) as `0x${string}`;
      const buyer = f.buyer.address as `0x${string}`;
      const dataset = {
        location: "https://example.com/streets.enc",
        key: hexlify(new Uint8Array(32).fill(4)),
        chunkSize: 65536,
      };
      const { listingId, hash } = await sellerPublishes({
        ethereum,
        dealProof: f.address,
        seller,
        dataRoot: dataRoot(12),
        dataset,
      });
      expect(hash).to.match(/^0x[0-9a-f]{64}$/);
      expect(listingId).to.equal(await f.dealProof.listingIdFor(seller, dataRoot(12)));
      const [pub] = await f.dealProof.queryFilter(f.dealProof.filters.ListingPublished(listingId));
      const sellerInput = await openListingSellerInput(
        oracleKeys.privateKey,
        { chainId: f.chainId, contract: f.address, listingId },
        getBytes((pub as unknown as { args: { sealedSellerInput: string } }).args.sealedSellerInput),
      );
      expect(sellerInput.dataset).to.deep.equal(dataset);

      let saved: string | undefined;
      let escrowWhenSaved = -1n;
      const bought = await buyerBuys({
        ethereum,
        dealProof: f.address,
        buyer,
        listingId,
        saveDeliveryKey: async (hex: string) => {
          saved = hex;
          escrowWhenSaved = await f.ethers.provider.getBalance(f.address);
        },
      });
      expect(escrowWhenSaved, "the key was saved while the contract held no escrow").to.equal(0n);
      expect([bought.status, bought.sales]).to.deep.equal(["accepted", 1]);
      expect(bought.words).to.match(/is accepted: the oracle is checking the data/);
      const d = await f.dealProof.getDeal(BigInt(bought.dealId));
      expect([d.state, d.buyer, d.seller, d.escrow]).to.deep.equal([2n, buyer, seller, 4n * 10n ** 17n]);
      const [created] = await f.dealProof.queryFilter(
        f.dealProof.filters.ListingDealCreated(BigInt(bought.dealId)),
      );
      const buyerInput = await openBuyerInput(
        oracleKeys.privateKey,
        { chainId: f.chainId, contract: f.address, dealId: BigInt(bought.dealId) },
        getBytes((created as unknown as { args: { sealedBuyerInput: string } }).args.sealedBuyerInput),
      );
      expect(buyerInput.deliveryPublicKey).to.equal(hexlify(x25519.getPublicKey(getBytes(saved!))));
      expect(buyerInput.budgetWei).to.equal((4n * 10n ** 17n).toString());

      // the seller withdraws: the same buyer code refuses before anything is sent
      await (await f.dealProof.connect(f.seller).withdrawListing(listingId)).wait();
      const before = await f.ethers.provider.getBalance(buyer);
      await rejects(
        buyerBuys({
          ethereum,
          dealProof: f.address,
          buyer,
          listingId,
          saveDeliveryKey: async () => undefined,
        }),
        /listing is Withdrawn/,
      );
      expect(await f.ethers.provider.getBalance(buyer)).to.equal(before);
    } finally {
      await close();
    }
  });
});
