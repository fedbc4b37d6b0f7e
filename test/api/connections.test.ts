/**
 * Held connections cannot lock the API out (oracle/api/connections.ts, server.ts): idle sockets
 * from ten other loopback addresses (127.0.0.2–11) hit their address's cap and, past the total,
 * are evicted oldest-idle-first, so /health from 127.0.0.1 answers; slowloris headers, a dripped
 * body and a silent socket are closed by the header / request timeouts.
 */
import { expect } from "chai";
import { connect, type Socket } from "node:net";
import { ZeroHash, getAddress } from "ethers";
import { createApi } from "../../oracle/api/server.ts";
import type { ConnectionStats } from "../../oracle/api/connections.ts";
import { Store } from "../../oracle/daemon/store.ts";
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

async function api(limits: Record<string, number>, hang = false) {
  const a = createApi({
    // with `hang`, GET /attestation never answers: a request held in flight
    ...(hang ? { quote: () => new Promise<never>(() => undefined) } : {}),
    store: new Store(":memory:"),
    deployment,
    teeMode: "simulator",
    settleMode: "signature",
    signer: ZeroHash.slice(0, 42),
    encryptionKey: ZeroHash,
    measurementId: ZeroHash,
    registrationExpiresAt: () => undefined,
    publicUrl: "http://127.0.0.1",
    corsOrigins: [],
    chainClient: viemClientFor({ send: () => Promise.reject(new Error("no chain in this test")) }),
    limits,
  });
  const url = await a.listen(0, "127.0.0.1");
  return {
    url,
    port: Number(new URL(url).port),
    stats: a.connections,
    close: () => new Promise<void>((r) => (a.server.closeAllConnections(), a.server.close(() => r()))),
  };
}

async function health(url: string): Promise<{ ok: boolean; connections: ConnectionStats }> {
  const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
  expect(r.status).to.equal(200);
  return (await r.json()) as { ok: boolean; connections: ConnectionStats };
}

/** Opens a socket from `localAddress`; resolves once it connected (or failed). */
function open(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve) => {
    const s = connect({ port, host: "127.0.0.1", localAddress });
    s.on("error", () => undefined);
    s.once("connect", () => resolve(s));
    s.once("close", () => resolve(s));
  });
}

/** Resolves with what the server sent once `s` closes; rejects after `ms`. */
function closed(s: Socket, ms: number): Promise<string> {
  let got = "";
  s.on("data", (d: Buffer) => (got += d.toString("latin1")));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`the socket was still open after ${ms} ms`)), ms);
    s.once("close", () => (clearTimeout(t), resolve(got)));
  });
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("API connection lockout (oracle/api/connections.ts)", function () {
  this.timeout(60_000);
  const held: Socket[] = [];
  afterEach(() => {
    for (const s of held.splice(0)) s.destroy();
  });

  it("idle sockets from 10 addresses cannot lock /health out: per-address cap, then oldest idle evicted", async () => {
    // long header/request timeouts: the caps alone must keep the API reachable
    const a = await api({
      connectionsPerAddress: 16,
      maxConnections: 64,
      headersTimeoutMs: 60_000,
      requestTimeoutMs: 60_000,
    });
    try {
      const perAddress = 30;
      const attackers = Array.from({ length: 10 }, (_, i) => `127.0.0.${i + 2}`);
      for (const from of attackers)
        held.push(...(await Promise.all(Array.from({ length: perAddress }, () => open(a.port, from)))));
      const total = attackers.length * perAddress;
      // every attempt was admitted, refused at its address's cap, or admitted by evicting an idle one
      const seen = await until("the server to see every attack socket", async () => {
        const { connections: c } = await health(a.url);
        return c.refusedPerAddress + c.open + c.evictedIdle >= total ? c : undefined;
      });
      expect(seen.refusedPerAddress, "sockets past each address's cap").to.be.at.least(
        total - attackers.length * 16,
      );
      expect(seen.evictedIdle, "idle sockets evicted past the total").to.be.greaterThan(0);
      expect(seen.open).to.be.at.most(64);
      expect(seen.refusedFull).to.equal(0);

      // the attack holds the server full; 127.0.0.1 still gets answers, request after request
      for (let i = 0; i < 5; i++) expect((await health(a.url)).ok).to.equal(true);
    } finally {
      await a.close();
    }
  });

  it("a socket serving a request is never evicted; the newcomer is refused instead", async () => {
    const a = await api({ connectionsPerAddress: 4, maxConnections: 2 }, true);
    try {
      const busy = await Promise.all([open(a.port, "127.0.0.2"), open(a.port, "127.0.0.3")]);
      held.push(...busy);
      for (const s of busy) s.write("GET /attestation HTTP/1.1\r\nhost: x\r\n\r\n");
      const ends = busy.map((s) => closed(s, 60_000));
      await until("both requests in flight", async () => (a.stats().open === 2 ? true : undefined));
      const late = await open(a.port, "127.0.0.4");
      held.push(late);
      await closed(late, 20_000);
      expect(a.stats()).to.include({ open: 2, refusedFull: 1, evictedIdle: 0 });
      expect(busy.every((s) => !s.destroyed)).to.equal(true);
      for (const s of busy) s.destroy();
      await Promise.all(ends);
    } finally {
      await a.close();
    }
  });

  it("a full server of idle keep-alive sockets admits a newcomer by closing the oldest", async () => {
    const a = await api({ connectionsPerAddress: 4, maxConnections: 2 });
    try {
      const idle = await Promise.all([open(a.port, "127.0.0.2"), open(a.port, "127.0.0.3")]);
      held.push(...idle);
      const answered = idle.map(
        (s) =>
          new Promise<string>((r) => {
            s.once("data", (d: Buffer) => r(d.toString("latin1")));
            s.write("GET /health HTTP/1.1\r\nhost: x\r\n\r\n");
          }),
      );
      expect((await Promise.all(answered)).every((t) => t.startsWith("HTTP/1.1 200"))).to.equal(true);
      const oldestGone = closed(idle[0]!, 20_000);
      expect((await health(a.url)).connections.evictedIdle).to.equal(1);
      await oldestGone;
      expect(idle[1]!.destroyed).to.equal(false);
    } finally {
      await a.close();
    }
  });

  it("closes slowloris headers, a dripped body and a silent socket; /health answers meanwhile", async () => {
    const a = await api({ headersTimeoutMs: 1000, requestTimeoutMs: 1500, checkIntervalMs: 200 });
    const drips: NodeJS.Timeout[] = [];
    try {
      const silent = await open(a.port, "127.0.0.2");
      const slowloris = await open(a.port, "127.0.0.3");
      const slowBody = await open(a.port, "127.0.0.4");
      held.push(silent, slowloris, slowBody);
      const ends = [silent, slowloris, slowBody].map((s) => closed(s, 20_000));
      slowloris.write("GET /health HTTP/1.1\r\nhost: x\r\nx-drip: ");
      drips.push(setInterval(() => slowloris.writable && slowloris.write("a"), 100));
      slowBody.write("GET /health HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n");
      drips.push(setInterval(() => slowBody.writable && slowBody.write("b"), 100));

      expect((await health(a.url)).ok).to.equal(true);
      const [silentGot, slowlorisGot, slowBodyGot] = await Promise.all(ends);
      expect(silentGot).to.match(/^HTTP\/1\.1 408/);
      expect(slowlorisGot).to.match(/^HTTP\/1\.1 408/);
      // the handler answered the request at once; the never-finished body then times out
      expect(slowBodyGot).to.match(/^HTTP\/1\.1 200[\s\S]*HTTP\/1\.1 408/);
      expect((await health(a.url)).connections.open).to.equal(1); // only this request's own
    } finally {
      for (const t of drips) clearInterval(t);
      await a.close();
    }
  });
});
