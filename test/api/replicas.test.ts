/**
 * The API of several replicas (DESIGN §12), as real HTTP servers over their own stores: /health's
 * signed card, holds, key epochs and lag; a status or transcript asked at a replica that does not
 * hold the deal is redirected (307) to the one that does; an unknown, unreachable, hanging or
 * hostile peer yields a prompt 503 saying what to do; a sign-in session issued by one replica is
 * accepted by another of the same app (never by another app's), while a sign-in message redeemed
 * (or not) at one replica cannot be replayed at the other.
 */
import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Wallet, ZeroHash, getAddress, type BaseWallet } from "ethers";
import { startLocalChain, type LocalChain } from "../../scripts/lib/local-chain.ts";
import { createApi, type ReplicaDeps } from "../../oracle/api/server.ts";
import { SessionKeys } from "../../oracle/api/session.ts";
import { PeerDirectory } from "../../oracle/api/peers.ts";
import { ReplicaLocator } from "../../oracle/api/locate.ts";
import { Store, type StoredOutcome } from "../../oracle/daemon/store.ts";
import { RetryingJsonRpcProvider } from "../../oracle/chain/provider.ts";
import { viemClientFor } from "../../oracle/chain/viem-client.ts";
import type { Deployment } from "../../oracle/chain/deployment.ts";

const deployment: Deployment = {
  network: "t",
  chainId: 31337,
  dealProof: getAddress("0x" + "11".repeat(20)),
  verifier: getAddress("0x" + "22".repeat(20)),
  verifierKind: "simulated",
  deployBlock: 0,
  deployedAt: new Date().toISOString(),
};
const APP_KEY = new Uint8Array(32).fill(7);

interface Replica {
  url: string;
  signer: BaseWallet;
  sender: BaseWallet;
  store: Store;
  close(): Promise<void>;
}

const listen = (s: Server) =>
  new Promise<string>((r) =>
    s.listen(0, "127.0.0.1", () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );
const closeServer = (s: Server) => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())));

describe("the API across replicas (oracle/api: health, peers, locate, session)", function () {
  this.timeout(60_000);
  let chain: LocalChain;
  let provider: RetryingJsonRpcProvider;
  const buyer = Wallet.createRandom();
  const seller = Wallet.createRandom();
  const stranger = Wallet.createRandom();

  before(async () => {
    chain = await startLocalChain();
    provider = new RetryingJsonRpcProvider(chain.url, { timeoutMs: 5000 });
  });
  after(async () => {
    provider.destroy();
    await chain.close();
  });

  /** A store knowing deals 1–3 (created and accepted), with outcomes for `withOutcome`. */
  function storeWith(withOutcome: bigint[]): Store {
    const s = new Store(":memory:");
    const ids = [1n, 2n, 3n];
    s.applyEvents(
      [
        ...ids.map((id) => ({
          kind: "created" as const,
          id,
          buyer: buyer.address,
          seller: seller.address,
          escrow: "1",
          dataRoot: ZeroHash,
          deadline: 2_000_000_000,
          sealed: "0x01",
          block: 1,
        })),
        ...ids.map((id) => ({ kind: "accepted" as const, id, sealed: "0x02" })),
      ],
      1,
    );
    for (const id of withOutcome) {
      const outcome: StoredOutcome = {
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
      };
      s.saveOutcome(id, outcome);
    }
    return s;
  }

  async function replica(o: {
    withOutcome: bigint[];
    holds?: string[];
    peers?: string[];
    sessionKey?: Uint8Array;
    chainView?: ReplicaDeps["chainView"];
    peerTimeoutMs?: number;
  }): Promise<Replica> {
    const signer = Wallet.createRandom();
    const sender = Wallet.createRandom();
    const store = storeWith(o.withOutcome);
    // the public URL must be the served one (it is in the card peers check): reserve the port first
    const probe = createServer();
    const url = await listen(probe);
    await closeServer(probe);
    const port = Number(new URL(url).port);
    const locator =
      o.peers === undefined
        ? undefined
        : new ReplicaLocator({
            provider,
            chainId: deployment.chainId,
            dealProof: deployment.dealProof,
            peers: new PeerDirectory({
              peers: o.peers,
              chainId: deployment.chainId,
              dealProof: deployment.dealProof,
              timeoutMs: o.peerTimeoutMs ?? 1000,
            }),
            self: { signer: signer.address, sender: sender.address },
            deadlineMs: 3 * (o.peerTimeoutMs ?? 1000),
          });
    const a = createApi({
      store,
      deployment,
      teeMode: "simulator",
      settleMode: "signature",
      signer: signer.address,
      encryptionKey: ZeroHash,
      measurementId: ZeroHash,
      registrationExpiresAt: () => 1_900_000_000n,
      publicUrl: url,
      corsOrigins: [],
      chainClient: viemClientFor(provider),
      limits: { maxLagS: 60 },
      replica: {
        instanceId: "0x" + signer.address.slice(2).toLowerCase().padStart(64, "0"),
        sender: sender.address,
        keyEpochs: [2, 1],
        signDigest: (d) => signer.signingKey.sign(d).serialized,
        holds: () => o.holds ?? [],
        chainView:
          o.chainView ??
          (() => ({
            head: { number: 110, timestamp: 1_000_100 },
            processed: { number: 108, timestamp: 1_000_090 },
          })),
        registering: true,
        sessions: new SessionKeys({
          key: o.sessionKey ?? APP_KEY,
          chainId: deployment.chainId,
          contract: deployment.dealProof,
          instanceId: signer.address,
          ttlMs: 60_000,
        }),
        ...(locator === undefined ? {} : { locator }),
      },
    });
    expect(await a.listen(port, "127.0.0.1")).to.equal(url);
    return { url, signer, sender, store, close: () => closeServer(a.server) };
  }

  async function challenge(url: string, dealId: string, who: BaseWallet) {
    const r = await fetch(`${url}/auth/challenge?address=${who.address}&dealId=${dealId}`);
    expect(r.status).to.equal(200);
    const { message } = (await r.json()) as { message: string };
    return {
      "x-dealproof-message": Buffer.from(message).toString("base64"),
      "x-dealproof-signature": await who.signMessage(message),
    };
  }

  it("/health shows the signed card, instance id, key epochs, held deals and the lag (ok or degraded, and why)", async () => {
    const a = await replica({ withOutcome: [1n], holds: ["1", "3"] });
    let head = { number: 110, timestamp: 1_000_100 };
    const b = await replica({
      withOutcome: [],
      chainView: () => ({ head, processed: { number: 100, timestamp: 1_000_000 } }),
    });
    try {
      const h = (await (await fetch(`${a.url}/health`)).json()) as Record<string, unknown>;
      expect(h.ok).to.equal(true);
      expect(h.status).to.equal("ok");
      expect(h.reasons).to.deep.equal([]);
      expect(h.holds).to.deep.equal(["1", "3"]);
      expect(h.holdsCount).to.equal(2);
      expect(h.keyEpochs).to.deep.equal([2, 1]);
      expect(h.instanceId).to.match(/^0x[0-9a-f]{64}$/);
      expect(h.lag).to.deep.equal({ blocks: 2, seconds: 10, head: 110, processed: 108 });
      expect(h.registrationExpiresAt).to.equal(1_900_000_000);
      const card = h.replica as Record<string, string>;
      expect(card.signer).to.equal(a.signer.address);
      expect(card.publicUrl).to.equal(a.url);
      // b is 100 s behind the head, over its 60 s limit: degraded, with the reason; then it catches up
      head = { number: 130, timestamp: 1_000_100 };
      const slow = (await (await fetch(`${b.url}/health`)).json()) as Record<string, unknown>;
      expect(slow.ok).to.equal(false);
      expect(slow.status).to.equal("degraded");
      expect((slow.reasons as string[]).join()).to.match(/^lag: 30 blocks, 100 s behind/);
      head = { number: 100, timestamp: 1_000_000 };
      const caught = (await (await fetch(`${b.url}/health`)).json()) as Record<string, unknown>;
      expect(caught.ok).to.equal(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("redirects a status, a challenge and a transcript (307) to the replica holding the deal, and answers there", async () => {
    const a = await replica({ withOutcome: [1n], holds: ["1"] });
    const b = await replica({ withOutcome: [], peers: [a.url] });
    try {
      for (const path of [
        "/deals/1",
        "/deals/1/transcript",
        `/auth/challenge?address=${buyer.address}&dealId=1`,
      ]) {
        const r = await fetch(`${b.url}${path}`, { redirect: "manual" });
        expect(r.status, path).to.equal(307);
        const to = new URL(r.headers.get("location")!);
        expect(to.origin).to.equal(a.url);
        expect(to.searchParams.get("hop")).to.equal("1");
      }
      // followed: the holder answers with the record
      const status = (await (await fetch(`${b.url}/deals/1`)).json()) as {
        outcome: { reason: string } | null;
      };
      expect(status.outcome?.reason).to.equal("test");
      // a sign-in followed through the redirect is redeemed where it was issued
      const headers = await challenge(b.url, "1", buyer);
      const t = await fetch(`${b.url}/deals/1/transcript`, { headers });
      expect(t.status).to.equal(200);
      expect(((await t.json()) as { transcriptJson: string }).transcriptJson).to.equal('{"deal":"1"}');
      // a deal nobody holds is answered here (its status is all there is); a hop is never redirected again
      expect((await fetch(`${b.url}/deals/2`, { redirect: "manual" })).status).to.equal(200);
      expect((await fetch(`${b.url}/deals/1?hop=1`, { redirect: "manual" })).status).to.equal(200);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("answers 503 with what to do, promptly, when the holder is unlisted, down, hanging or hostile", async () => {
    const hang = createServer(() => undefined); // accepts, never answers
    const hangUrl = await listen(hang);
    const liar = createServer((req, res) => {
      // claims to hold every deal, with a card naming another URL and signed by nobody it names
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          replica: {
            publicUrl: "https://evil.example",
            chainId: 31337,
            dealProof: deployment.dealProof,
            signer: stranger.address,
            sender: stranger.address,
            instanceId: "x",
            signature: "0x" + "ab".repeat(65),
          },
          holds: ["1", "2", "3"],
        }),
      );
    });
    const liarUrl = await listen(liar);
    const a = await replica({ withOutcome: [1n], holds: ["1"] });
    await a.close(); // a is gone: its URL refuses connections
    const b = await replica({ withOutcome: [], peers: [a.url, hangUrl, liarUrl], peerTimeoutMs: 300 });
    try {
      const t0 = Date.now();
      const r = await fetch(`${b.url}/deals/1`, { redirect: "manual" });
      expect(Date.now() - t0).to.be.below(3000);
      // no reachable peer holds it (the down one refuses, the hanging one times out, the liar's card
      // fails): nothing to redirect to, so b answers the status it has
      expect(r.status).to.equal(200);
      expect(((await r.json()) as { outcome: unknown }).outcome).to.equal(null);
      // a deal settled on-chain by a replica b cannot reach: 503 with the hint
      const settledFar = await replica({ withOutcome: [], peers: [hangUrl, liarUrl], peerTimeoutMs: 300 });
      try {
        settledFar.store.markSettled(1n, { settledBy: "other", atBlock: 1 });
        const t1 = Date.now();
        const s = await fetch(`${settledFar.url}/deals/1`, { redirect: "manual" });
        expect(Date.now() - t1).to.be.below(3000);
        expect(s.status).to.equal(503);
        const body = (await s.json()) as { code: string; error: string };
        expect(body.code).to.equal("replica_unavailable");
        expect(s.headers.get("retry-after")).to.equal("10");
        expect(body.error).to.match(/try again|operator/);
      } finally {
        await settledFar.close();
      }
    } finally {
      await b.close();
      await closeServer(hang);
      await closeServer(liar);
    }
  });

  it("accepts a session issued by another replica of the app, never one of another app, an expired one or another deal's", async () => {
    const a = await replica({ withOutcome: [3n] });
    const b = await replica({ withOutcome: [3n] });
    const other = await replica({ withOutcome: [3n], sessionKey: new Uint8Array(32).fill(9) });
    try {
      const first = await fetch(`${a.url}/deals/3/transcript`, {
        headers: await challenge(a.url, "3", buyer),
      });
      expect(first.status).to.equal(200);
      const { session } = (await first.json()) as { session: { token: string; expiresAt: string } };
      expect(Date.parse(session.expiresAt)).to.be.greaterThan(Date.now());
      const withToken = { "x-dealproof-session": session.token };
      const atB = await fetch(`${b.url}/deals/3/transcript`, { headers: withToken });
      expect(atB.status).to.equal(200);
      expect(((await atB.json()) as { transcriptJson: string }).transcriptJson).to.equal('{"deal":"3"}');
      const atOther = await fetch(`${other.url}/deals/3/transcript`, { headers: withToken });
      expect(atOther.status).to.equal(401);
      expect(((await atOther.json()) as { code: string }).code).to.equal("bad_session");
      const wrongDeal = await fetch(`${b.url}/deals/1/transcript`, { headers: withToken });
      expect(((await wrongDeal.json()) as { code: string }).code).to.equal("wrong_deal");
      const tampered = session.token.replace(
        /\.([A-Za-z0-9_-])/,
        (_m, c: string) => `.${c === "A" ? "B" : "A"}`,
      );
      expect(
        (await fetch(`${b.url}/deals/3/transcript`, { headers: { "x-dealproof-session": tampered } })).status,
      ).to.equal(401);
      // expiry and a stranger's session, with the keys themselves
      const keys = new SessionKeys({
        key: APP_KEY,
        chainId: 31337,
        contract: deployment.dealProof,
        instanceId: "i",
        ttlMs: 1000,
      });
      const old = keys.issue(buyer.address, "3", Date.now() - 5000);
      const expired = await fetch(`${b.url}/deals/3/transcript`, {
        headers: { "x-dealproof-session": old.token },
      });
      expect(((await expired.json()) as { code: string }).code).to.equal("session_expired");
      const strangers = keys.issue(stranger.address, "3");
      const notParty = await fetch(`${b.url}/deals/3/transcript`, {
        headers: { "x-dealproof-session": strangers.token },
      });
      expect(notParty.status).to.equal(403);
    } finally {
      await a.close();
      await b.close();
      await other.close();
    }
  });

  it("refuses a sign-in message issued by one replica at the other, whether or not it was used", async () => {
    const a = await replica({ withOutcome: [3n] });
    const b = await replica({ withOutcome: [3n] });
    try {
      const unused = await challenge(a.url, "3", buyer);
      const atB = await fetch(`${b.url}/deals/3/transcript`, { headers: unused });
      expect(atB.status).to.equal(401);
      const refused = (await atB.json()) as { code: string; error: string };
      expect(refused.code).to.equal("wrong_replica");
      expect(refused.error).to.include(new URL(a.url).host);
      // still redeemable once where it was issued, then nowhere
      expect((await fetch(`${a.url}/deals/3/transcript`, { headers: unused })).status).to.equal(200);
      expect(
        ((await (await fetch(`${a.url}/deals/3/transcript`, { headers: unused })).json()) as { code: string })
          .code,
      ).to.equal("unknown_challenge");
      expect(
        ((await (await fetch(`${b.url}/deals/3/transcript`, { headers: unused })).json()) as { code: string })
          .code,
      ).to.equal("wrong_replica");
    } finally {
      await a.close();
      await b.close();
    }
  });
});
