/**
 * The oracle as a real process (oracle/simulator/main.ts): it settles and logs no private value;
 * raw-socket fuzzing of its HTTP API cannot crash it; SIGTERM ends it within 5 s even while an
 * RPC request hangs; a dead RPC is reported plainly within seconds, without the URL's secrets; a
 * corrupt database file or WAL does not keep it down: the file is quarantined (or SQLite drops the
 * damaged WAL), the state is rebuilt from the chain, and deals settle after — each exactly once; the
 * plaintext a SIGKILL leaves in a deal's dir is swept at the next start, before it serves.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { createServer as createHttpServer } from "node:http";
import type { Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { formatEther } from "ethers";
import { runDeal, waitFor, settledEvents } from "./harness.ts";
import { useLocalChain, type Env } from "../fixtures/local-chain.ts";
import { LOCAL_SENDER_KEY } from "../../scripts/lib/local-oracle.ts";
import { startFaultProxy } from "../../scripts/lib/fault-proxy.ts";
import { scenarioByName, units } from "../../scripts/lib/scenarios.ts";
import { prepareDataset } from "../../scripts/lib/seller-kit.ts";
import { fuzz, HAND_WRITTEN, randomRequests } from "./http-fuzz.ts";

const root = join(import.meta.dirname, "..", "..");

interface Proc {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
  url: () => Promise<string>;
}

function spawnOracle(env: Env, db: string, extra: Record<string, string> = {}): Proc {
  const child = spawn(
    process.execPath,
    ["--disable-warning=ExperimentalWarning", join(root, "oracle/simulator/main.ts")],
    {
      cwd: root,
      env: {
        ...process.env,
        DEALPROOF_RPC_URL: env.rpcUrl,
        DEALPROOF_DEPLOYMENT: env.deploymentFile,
        DEALPROOF_SENDER_KEY: LOCAL_SENDER_KEY,
        DEALPROOF_SIMULATOR_SEED_FILE: env.seedFile,
        DEALPROOF_DB: join(env.dir, db),
        DEALPROOF_CONFIRMATIONS: "0",
        DEALPROOF_POLL_MS: "50",
        DEALPROOF_RPC_POLL_MS: "50",
        DEALPROOF_HTTP_HOST: "127.0.0.1",
        DEALPROOF_HTTP_PORT: "0",
        LOG_LEVEL: "debug",
        ANTHROPIC_API_KEY: "",
        ...extra,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return {
    child,
    out: () => out,
    exited,
    url: async () => {
      await waitFor("the oracle to start", () => out.includes("oracle started") || undefined);
      const line = out.split("\n").find((l) => l.includes("oracle started"))!;
      return (JSON.parse(line) as { url: string }).url;
    },
  };
}

describe("the oracle as a process (oracle/simulator/main.ts)", function () {
  this.timeout(120_000);
  let env: Env;
  useLocalChain((e) => (env = e));

  it("settles a deal, logs JSON without private values, and exits 0 on SIGTERM", async () => {
    const p = spawnOracle(env, "process.sqlite");
    try {
      await p.url();
      const deal = await runDeal(env, { buyerIx: 9, email: null });
      await waitFor(
        "settlement",
        async () => ((await settledEvents(env, deal.dealId)).length === 1 ? true : undefined),
        60_000,
      );
      await waitFor("the settled log line", () => p.out().includes("deal settled") || undefined);
    } finally {
      p.child.kill("SIGTERM");
    }
    expect(await p.exited).to.equal(0);
    const out = p.out();
    expect(out).to.include("shutting down");
    const lines = out
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("{"));
    expect(lines.length).to.be.greaterThan(3);
    for (const l of lines) JSON.parse(l);
    const s = scenarioByName("vision");
    const secrets = [
      units(s.budgetUnits).toString(),
      units(s.floorUnits).toString(),
      formatEther(units(s.floorUnits)),
      env.dataset.key,
      env.dataset.key.slice(2),
      LOCAL_SENDER_KEY.slice(2),
      s.buyerRequirements.slice(0, 30),
    ];
    for (const secret of secrets) expect(out, "a private value reached the logs").to.not.include(secret);
  });

  it("survives a raw-socket fuzz of malformed request lines, targets, headers, methods and bodies", async () => {
    const p = spawnOracle(env, "fuzz.sqlite", {
      DEALPROOF_API_RATE: "100000",
      DEALPROOF_API_BURST: "100000",
      DEALPROOF_REGISTER: "false",
    });
    let exitedEarly = false;
    void p.exited.then(() => (exitedEarly = true));
    try {
      const url = await p.url();
      const port = Number(new URL(url).port);
      const sent = await fuzz(port, [...HAND_WRITTEN, ...randomRequests(600)]);
      expect(sent).to.be.greaterThan(600);
      expect(exitedEarly, "the fuzz killed the oracle").to.equal(false);
      const health = await fetch(`${url}/health`);
      expect(health.status).to.equal(200);
      expect(((await health.json()) as { ok: boolean }).ok).to.equal(true);
      expect(p.out()).to.not.match(/uncaught|TypeError|RangeError/i);
    } finally {
      p.child.kill("SIGTERM");
    }
    expect(await p.exited).to.equal(0);
  });

  it("ends within 5 s of SIGTERM while its RPC requests hang", async () => {
    const proxy = await startFaultProxy(env.chain.url);
    const p = spawnOracle({ ...env, rpcUrl: proxy.url }, "hang.sqlite", {
      DEALPROOF_RPC_TIMEOUT_MS: "30000",
    });
    try {
      await p.url();
      proxy.set({ hang: 1 });
      await waitFor("a request to hang", () => proxy.stats.hung > 0 || undefined);
      const t0 = Date.now();
      p.child.kill("SIGTERM");
      const code = await p.exited;
      const tookMs = Date.now() - t0;
      expect(code).to.equal(0);
      expect(tookMs, `SIGTERM took ${tookMs} ms`).to.be.lessThan(5000);
    } finally {
      p.child.kill("SIGKILL");
      await proxy.close();
    }
  });

  it("reports a dead RPC plainly within seconds, naming only its host", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const t0 = Date.now();
    const p = spawnOracle({ ...env, rpcUrl: `http://127.0.0.1:${port}/v3/SECRETKEY` }, "dead.sqlite");
    const code = await p.exited;
    const tookMs = Date.now() - t0;
    expect(code).to.equal(1);
    expect(p.out()).to.include(`the RPC at 127.0.0.1:${port} does not answer (rpc_unreachable)`);
    expect(p.out()).to.not.include("SECRETKEY");
    expect(tookMs, `took ${tookMs} ms`).to.be.lessThan(15_000);

    const hang = await startFaultProxy(env.chain.url, { hang: 1 });
    try {
      const q = spawnOracle({ ...env, rpcUrl: hang.url }, "dead2.sqlite", {
        DEALPROOF_RPC_TIMEOUT_MS: "1000",
      });
      expect(await q.exited).to.equal(1);
      expect(q.out()).to.include("does not answer (rpc_timeout)");
    } finally {
      await hang.close();
    }
  });

  it("ends with a message and hint, no stack, when its port is taken or its database cannot be opened", async () => {
    const first = spawnOracle(env, "port-a.sqlite");
    try {
      const port = new URL(await first.url()).port;
      const second = spawnOracle(env, "port-b.sqlite", { DEALPROOF_HTTP_PORT: port });
      expect(await second.exited).to.equal(1);
      expect(second.out()).to.match(/^oracle: cannot listen on 127\.0\.0\.1:\d+/m);
      expect(second.out()).to.match(/^hint: choose a free DEALPROOF_HTTP_PORT/m);
      expect(second.out()).to.not.include("    at ");
    } finally {
      first.child.kill("SIGTERM");
      await first.exited;
    }
    // a directory where the database file should be
    const noDb = spawnOracle(env, ".");
    expect(await noDb.exited).to.equal(1);
    expect(noDb.out()).to.match(/^oracle: cannot open the oracle's database/m);
    expect(noDb.out()).to.match(/^hint: point DEALPROOF_DB at a writable path/m);
    expect(noDb.out()).to.not.include("    at ");
  });

  async function settledOnce(dealId: bigint) {
    await waitFor(
      `deal ${dealId} settled`,
      async () => ((await settledEvents(env, dealId)).length >= 1 ? true : undefined),
      60_000,
    );
  }

  it("quarantines a corrupt database file, says so in the log and /health, and settles deals after", async () => {
    const db = "corrupt-main.sqlite";
    const first = spawnOracle(env, db);
    let before: Awaited<ReturnType<typeof runDeal>>;
    try {
      await first.url();
      before = await runDeal(env, { buyerIx: 10, email: null });
      await settledOnce(before.dealId);
    } finally {
      first.child.kill("SIGTERM");
    }
    expect(await first.exited).to.equal(0);
    const path = join(env.dir, db);
    writeFileSync(path, Buffer.alloc(statSync(path).size, 0x42));

    const second = spawnOracle(env, db);
    try {
      const url = await second.url();
      expect(second.out()).to.match(/"code":"store\.quarantined"/);
      const health = (await (await fetch(`${url}/health`)).json()) as {
        store: { quarantined: { files: string[]; reason: string } | null };
      };
      expect(health.store.quarantined!.reason).to.match(/not a database/);
      expect(readdirSync(env.dir).some((f) => f.startsWith(`${db}.corrupt-`))).to.equal(true);
      // rebuilt from the chain: the settled deal is known again, and a new deal settles
      await waitFor("the settled deal rebuilt", async () => {
        const r = await fetch(`${url}/deals/${before.dealId}`);
        return r.status === 200 && ((await r.json()) as { status: string }).status === "settled"
          ? true
          : undefined;
      });
      const after = await runDeal(env, { buyerIx: 10, email: null });
      await settledOnce(after.dealId);
      expect(await settledEvents(env, before.dealId)).to.have.length(1);
      expect(await settledEvents(env, after.dealId)).to.have.length(1);
    } finally {
      second.child.kill("SIGTERM");
    }
    expect(await second.exited).to.equal(0);
  });

  it("starts past a corrupt WAL (left by a SIGKILL) and settles the deals after, each once", async () => {
    const db = "corrupt-wal.sqlite";
    const first = spawnOracle(env, db);
    let before: Awaited<ReturnType<typeof runDeal>>;
    try {
      await first.url();
      before = await runDeal(env, { buyerIx: 11, email: null });
      await settledOnce(before.dealId);
      await waitFor("the settled log line", () => first.out().includes("deal settled") || undefined);
    } finally {
      first.child.kill("SIGKILL");
    }
    await first.exited;
    const wal = join(env.dir, `${db}-wal`);
    expect(existsSync(wal), "a SIGKILL leaves the WAL").to.equal(true);
    writeFileSync(wal, Buffer.alloc(Math.max(4096, statSync(wal).size), 0x42));

    const second = spawnOracle(env, db);
    try {
      const url = await second.url();
      const pending = await runDeal(env, { buyerIx: 11, email: null });
      await settledOnce(pending.dealId);
      await waitFor("the earlier deal known as settled", async () => {
        const r = await fetch(`${url}/deals/${before.dealId}`);
        return r.status === 200 && ((await r.json()) as { status: string }).status === "settled"
          ? true
          : undefined;
      });
      expect(await settledEvents(env, before.dealId)).to.have.length(1);
      expect(await settledEvents(env, pending.dealId)).to.have.length(1);
    } finally {
      second.child.kill("SIGTERM");
    }
    expect(await second.exited).to.equal(0);
  });

  it("sweeps the plaintext a SIGKILL left in a deal's dir before serving; the deal then settles once", async () => {
    // the dataset is served over loopback http, stalling halfway the first time: the first oracle is
    // killed while the deal's plaintext dir holds the chunks verified so far
    const ds = await prepareDataset(env.dir, scenarioByName("vision"), {
      rows: 2000,
      chunkSize: 4096,
      tag: "sweep",
    });
    const enc = readFileSync(ds.encPath);
    let stall = true;
    const sockets = new Set<Socket>();
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { "content-length": enc.length });
      if (stall) res.write(enc.subarray(0, Math.floor(enc.length / 2)));
      else res.end(enc);
    });
    server.on("connection", (s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const location = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sweep.csv.enc`;
    mkdirSync(join(env.dir, "sweep"));
    const db = join("sweep", "oracle.sqlite");
    const root = join(env.dir, "sweep", "plaintext");
    const dealDirs = () => (existsSync(root) ? readdirSync(root) : []);
    try {
      const first = spawnOracle(env, db);
      let deal: Awaited<ReturnType<typeof runDeal>>;
      let leftover: string;
      try {
        await first.url();
        expect(statSync(root).mode & 0o777, "the plaintext root is the daemon's alone").to.equal(0o700);
        deal = await runDeal(env, { buyerIx: 12, email: null, dataset: { ...ds, location } });
        // ours is the dir whose plaintext stops growing halfway (another deal of the shared chain
        // may pass through the root too, whole and quickly)
        const sizeOf = (d: string) => {
          const data = join(root, d, "data");
          return existsSync(data) ? statSync(data).size : 0;
        };
        leftover = await waitFor(
          "the deal's plaintext on disk, stalled",
          async () => {
            const before = dealDirs().map((d) => [d, sizeOf(d)] as const);
            await new Promise((r) => setTimeout(r, 300));
            return before.find(([d, n]) => n > 0 && n < ds.size && sizeOf(d) === n)?.[0];
          },
          60_000,
        );
      } finally {
        first.child.kill("SIGKILL");
      }
      await first.exited;
      // (another deal of the shared chain may have been mid-stage too: every leftover dir counts)
      const left = dealDirs();
      expect(left, "a SIGKILL leaves the deal's plaintext behind").to.include(leftover);
      expect(statSync(join(root, leftover, "data")).size).to.be.greaterThan(0);

      stall = false;
      for (const s of sockets) s.destroy();
      const second = spawnOracle(env, db);
      try {
        await second.url();
        for (const d of left) expect(existsSync(join(root, d)), "swept before serving").to.equal(false);
        const out = second.out();
        const sweptLine = out.split("\n").find((l) => l.includes("plaintext left by an earlier run swept"));
        expect(JSON.parse(sweptLine!)).to.include({ swept: left.length });
        expect(out.indexOf(sweptLine!)).to.be.lessThan(out.indexOf("oracle started"));
        await settledOnce(deal.dealId);
        await waitFor("the deal's plaintext dir removed", () => dealDirs().length === 0 || undefined);
        // no field of the dataset reaches the log (only the count and the root's path)
        const row = readFileSync(ds.plainPath, "utf8").split("\n")[1]!;
        expect(second.out()).to.not.include(row);
        expect(first.out()).to.not.include(row);
      } finally {
        second.child.kill("SIGTERM");
      }
      expect(await second.exited).to.equal(0);
      expect(await settledEvents(env, deal.dealId), "settled exactly once").to.have.length(1);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
