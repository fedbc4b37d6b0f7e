/**
 * The HTTP API against a real local chain: bounded sign-in challenges and deal-id validation,
 * per-client rate limit, body limit, CORS for a dapp on another origin (preflight included), and
 * EIP-4361 sign-in by an EOA, a deployed ERC-1271 contract wallet and an undeployed (ERC-6492)
 * one — each also refused when signed by the wrong key.
 */
import { expect } from "chai";
import { connect } from "node:net";
import { Interface, Wallet, ZeroHash, getAddress, keccak256, toUtf8Bytes } from "ethers";
import { serializeErc6492Signature, type Hex } from "viem";
import { startLocalChain, type LocalChain } from "../../scripts/lib/local-chain.ts";
import { createApi, parseDealId } from "../../oracle/api/server.ts";
import { ChallengeBook } from "../../oracle/api/auth.ts";
import { RateLimiter } from "../../oracle/api/rate-limit.ts";
import { Store, type StoredOutcome } from "../../oracle/daemon/store.ts";
import { RetryingJsonRpcProvider } from "../../oracle/chain/provider.ts";
import { viemClientFor } from "../../oracle/chain/viem-client.ts";
import type { Deployment } from "../../oracle/chain/deployment.ts";
import type { TestSmartWalletFactory } from "../../types/ethers-contracts/test/mocks/TestSmartWallet.sol/TestSmartWalletFactory.ts";

const DAPP = "https://dapp.example";

describe("oracle HTTP API (oracle/api)", function () {
  this.timeout(60_000);
  let chain: LocalChain;
  let provider: RetryingJsonRpcProvider;
  let factory: TestSmartWalletFactory;
  const owner = Wallet.createRandom();
  const stranger = Wallet.createRandom();
  const eoaBuyer = Wallet.createRandom();
  let deployedWallet: string;
  let undeployedWallet: string;
  const undeployedSalt = keccak256(toUtf8Bytes("not yet"));

  before(async () => {
    chain = await startLocalChain();
    provider = new RetryingJsonRpcProvider(chain.url, { timeoutMs: 5000 });
    factory = await chain.connection.ethers.deployContract("TestSmartWalletFactory");
    await (await factory.deploy(owner.address, ZeroHash)).wait();
    deployedWallet = await factory.addressOf(owner.address, ZeroHash);
    undeployedWallet = await factory.addressOf(owner.address, undeployedSalt);
    expect(await provider.getCode(deployedWallet)).to.not.equal("0x");
    expect(await provider.getCode(undeployedWallet)).to.equal("0x");
  });
  after(async () => {
    provider.destroy();
    await chain.close();
  });

  function store(): Store {
    const s = new Store(":memory:");
    const deal = (id: bigint, buyer: string, seller: string) => ({
      kind: "created" as const,
      id,
      buyer,
      seller,
      escrow: "1",
      dataRoot: ZeroHash,
      deadline: 2_000_000_000,
      sealed: "0x01",
      block: 1,
    });
    s.applyEvents(
      [
        deal(1n, eoaBuyer.address, deployedWallet),
        deal(2n, undeployedWallet, eoaBuyer.address),
        { kind: "accepted", id: 1n, sealed: "0x02" },
        { kind: "accepted", id: 2n, sealed: "0x02" },
      ],
      1,
    );
    const outcome = (id: bigint): StoredOutcome => ({
      settlement: {
        dealId: id,
        agreed: false,
        price: "0",
        termsHash: ZeroHash,
        dataRoot: ZeroHash,
        transcriptHash: ZeroHash,
        delivery: "0x",
      },
      termsJson: "{}",
      transcriptJson: `{"deal":"${id}"}`,
      reason: "test",
    });
    s.saveOutcome(1n, outcome(1n));
    s.saveOutcome(2n, outcome(2n));
    return s;
  }

  async function api(limits = {}) {
    const deployment: Deployment = {
      network: "t",
      chainId: 31337,
      dealProof: getAddress("0x" + "11".repeat(20)),
      verifier: getAddress("0x" + "22".repeat(20)),
      verifierKind: "simulated",
      deployBlock: 0,
      deployedAt: new Date().toISOString(),
    };
    const a = createApi({
      store: store(),
      deployment,
      teeMode: "simulator",
      settleMode: "signature",
      signer: owner.address,
      encryptionKey: ZeroHash,
      measurementId: ZeroHash,
      registrationExpiresAt: () => undefined,
      publicUrl: "https://oracle.example:8443",
      corsOrigins: [DAPP],
      chainClient: viemClientFor(provider),
      limits,
    });
    const url = await a.listen(0, "127.0.0.1");
    return {
      ...a,
      url,
      close: () => new Promise<void>((r) => (a.server.closeAllConnections(), a.server.close(() => r()))),
    };
  }

  async function signIn(url: string, dealId: string, address: string, sign: (m: string) => Promise<string>) {
    const r = await fetch(`${url}/auth/challenge?address=${address}&dealId=${dealId}`);
    expect(r.status).to.equal(200);
    const { message } = (await r.json()) as { message: string };
    return fetch(`${url}/deals/${dealId}/transcript`, {
      headers: {
        "x-dealproof-message": Buffer.from(message).toString("base64"),
        "x-dealproof-signature": await sign(message),
      },
    });
  }

  it("issues EIP-4361 messages with the configured domain and URI", async () => {
    const a = await api();
    try {
      const r = await fetch(`${a.url}/auth/challenge?address=${eoaBuyer.address}&dealId=1`);
      const { message } = (await r.json()) as { message: string };
      expect(message).to.match(
        /^https:\/\/oracle\.example:8443 wants you to sign in with your Ethereum account:/,
      );
      expect(message).to.include("URI: https://oracle.example:8443/deals/1/transcript");
      expect(message).to.include("Chain ID: 31337");
    } finally {
      await a.close();
    }
  });

  it("signs in an EOA, and refuses another key, a reused challenge and a stranger", async () => {
    const a = await api();
    try {
      let used: RequestInit | undefined;
      const ok = await signIn(a.url, "1", eoaBuyer.address, async (m) => {
        const sig = await eoaBuyer.signMessage(m);
        used = {
          headers: { "x-dealproof-message": Buffer.from(m).toString("base64"), "x-dealproof-signature": sig },
        };
        return sig;
      });
      expect(ok.status).to.equal(200);
      expect(((await ok.json()) as { transcriptJson: string }).transcriptJson).to.equal('{"deal":"1"}');
      const again = await fetch(`${a.url}/deals/1/transcript`, used);
      expect(again.status).to.equal(401);
      expect(((await again.json()) as { code: string }).code).to.equal("unknown_challenge");
      const forged = await signIn(a.url, "1", eoaBuyer.address, (m) => stranger.signMessage(m));
      expect(forged.status).to.equal(401);
      expect(((await forged.json()) as { code: string }).code).to.equal("bad_signature");
      const notParty = await signIn(a.url, "1", stranger.address, (m) => stranger.signMessage(m));
      expect(notParty.status).to.equal(403);
    } finally {
      await a.close();
    }
  });

  it("signs in a deployed contract wallet (ERC-1271), and refuses a signature by another key", async () => {
    const a = await api();
    try {
      const ok = await signIn(a.url, "1", deployedWallet, (m) => owner.signMessage(m));
      expect(ok.status).to.equal(200);
      const bad = await signIn(a.url, "1", deployedWallet, (m) => stranger.signMessage(m));
      expect(bad.status).to.equal(401);
    } finally {
      await a.close();
    }
  });

  it("signs in an undeployed contract wallet (ERC-6492) without deploying it", async () => {
    const a = await api();
    const deployData = new Interface(["function deploy(address owner, bytes32 salt)"]).encodeFunctionData(
      "deploy",
      [owner.address, undeployedSalt],
    ) as Hex;
    const factoryAddress = (await factory.getAddress()) as Hex;
    const wrap = (sig: string) =>
      serializeErc6492Signature({ address: factoryAddress, data: deployData, signature: sig as Hex });
    try {
      const ok = await signIn(a.url, "2", undeployedWallet, async (m) => wrap(await owner.signMessage(m)));
      expect(ok.status).to.equal(200);
      const bad = await signIn(a.url, "2", undeployedWallet, async (m) =>
        wrap(await stranger.signMessage(m)),
      );
      expect(bad.status).to.equal(401);
      expect(await provider.getCode(undeployedWallet)).to.equal("0x");
    } finally {
      await a.close();
    }
  });

  it("validates deal ids and issues challenges only for known deals", async () => {
    const a = await api();
    try {
      const q = (id: string) => fetch(`${a.url}/auth/challenge?address=${eoaBuyer.address}&dealId=${id}`);
      expect((await q("9".repeat(15_000))).status).to.be.oneOf([400, 414, 431]);
      expect((await q("9".repeat(79))).status).to.equal(400);
      expect((await q(((1n << 256n) + 5n).toString())).status).to.equal(400);
      expect((await q("01")).status).to.equal(400);
      expect((await q("-1")).status).to.equal(400);
      expect((await q("3")).status).to.equal(404);
      expect(a.challenges.size).to.equal(0);
      expect((await fetch(`${a.url}/deals/${"1".repeat(200)}`)).status).to.equal(404);
      expect(parseDealId(((1n << 256n) - 1n).toString())).to.be.a("string");
      expect(parseDealId((1n << 256n).toString())).to.equal(undefined);
    } finally {
      await a.close();
    }
  });

  it("holds at most maxChallenges, each for its TTL only", async () => {
    const a = await api({ maxChallenges: 3 });
    try {
      for (let i = 0; i < 3; i++)
        expect((await fetch(`${a.url}/auth/challenge?address=${eoaBuyer.address}&dealId=1`)).status).to.equal(
          200,
        );
      const full = await fetch(`${a.url}/auth/challenge?address=${eoaBuyer.address}&dealId=1`);
      expect(full.status).to.equal(503);
      expect(((await full.json()) as { code: string }).code).to.equal("challenges_full");
      expect(a.challenges.size).to.equal(3);
    } finally {
      await a.close();
    }
    const book = new ChallengeBook({
      publicUrl: "https://o.example",
      chainId: 1,
      client: viemClientFor(provider),
      ttlMs: 1000,
      maxOpen: 2,
    });
    book.issue(eoaBuyer.address, "1", 0);
    book.issue(eoaBuyer.address, "1", 10);
    expect(() => book.issue(eoaBuyer.address, "1", 500)).to.throw(/too many open/);
    book.issue(eoaBuyer.address, "1", 1001); // the first expired and was swept
    expect(book.size).to.equal(2);
    const late = book.issue(eoaBuyer.address, "1", 5000);
    expect(book.size).to.equal(1);
    const r = await book.redeem(late.message, await eoaBuyer.signMessage(late.message), "1", 6001);
    expect(r).to.deep.include({ ok: false, code: "expired" });
  });

  it("rate-limits each client, answering 429 with retry-after", async () => {
    const a = await api({ ratePerSec: 1, burst: 5 });
    try {
      const codes = [];
      for (let i = 0; i < 8; i++) codes.push((await fetch(`${a.url}/health`)).status);
      expect(codes.slice(0, 5)).to.deep.equal([200, 200, 200, 200, 200]);
      expect(codes.slice(5)).to.deep.equal([429, 429, 429]);
      const r = await fetch(`${a.url}/health`);
      expect(r.headers.get("retry-after")).to.match(/^[0-9]+$/);
    } finally {
      await a.close();
    }
    const l = new RateLimiter({ ratePerSec: 1, burst: 1, maxClients: 100 });
    for (let i = 0; i < 1000; i++) l.take(`10.0.${i >> 8}.${i & 255}`, 0);
    expect(l.size).to.equal(100);
  });

  it("refuses request bodies over the limit and methods other than GET", async () => {
    const a = await api();
    try {
      const big = await fetch(`${a.url}/health`, { method: "POST", body: "x".repeat(100_000) });
      expect(big.status).to.be.oneOf([405, 413]);
      const post = await fetch(`${a.url}/health`, { method: "POST", body: "{}" });
      expect(post.status).to.equal(405);
      const status = await new Promise<string>((resolve) => {
        const s = connect(Number(new URL(a.url).port), "127.0.0.1", () =>
          s.write("GET /health HTTP/1.1\r\nhost: x\r\ncontent-length: 5000000\r\n\r\n"),
        );
        let got = "";
        s.on("data", (c: Buffer) => (got += c.toString()));
        s.on("close", () => resolve(got));
        s.on("error", () => resolve(got));
      });
      expect(status).to.match(/^HTTP\/1\.1 413/);
      expect((await fetch(`${a.url}/health`)).status).to.equal(200);
    } finally {
      await a.close();
    }
  });

  it("answers a dapp on an allowed origin (CORS, preflight) and no other origin", async () => {
    const a = await api();
    try {
      const pre = await fetch(`${a.url}/deals/1/transcript`, {
        method: "OPTIONS",
        headers: {
          origin: DAPP,
          "access-control-request-method": "GET",
          "access-control-request-headers": "x-dealproof-message, x-dealproof-signature",
        },
      });
      expect(pre.status).to.equal(204);
      expect(pre.headers.get("access-control-allow-origin")).to.equal(DAPP);
      expect(pre.headers.get("access-control-allow-headers")).to.include("x-dealproof-signature");
      const get = await fetch(`${a.url}/deals/1`, { headers: { origin: DAPP } });
      expect(get.headers.get("access-control-allow-origin")).to.equal(DAPP);
      const evil = await fetch(`${a.url}/deals/1`, { headers: { origin: "https://evil.example" } });
      expect(evil.headers.get("access-control-allow-origin")).to.equal(null);
      const evilPre = await fetch(`${a.url}/deals/1`, {
        method: "OPTIONS",
        headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
      });
      expect(evilPre.status).to.equal(403);
      expect(evilPre.headers.get("access-control-allow-origin")).to.equal(null);
    } finally {
      await a.close();
    }
  });
});
