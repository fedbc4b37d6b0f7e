/**
 * Oracle replicas as real processes for bench:fleet: each runs oracle/simulator/main.ts with its
 * own data dir (SQLite store), HTTP port, instance id and gas-paying sender, all sharing one
 * simulated TEE seed (one app: the same measurement and KMS-derived keys). A replica can be
 * SIGKILLed, or stopped as a container is (SIGTERM), and started again on the same store (with
 * the environment `envFor` gives it then: a new configuration, a new measurement), or stopped for
 * good; `listening` waits until its API answers, `ready` until /health shows a registration.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { Wallet, parseEther, type Signer } from "ethers";

const root = join(import.meta.dirname, "..", "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port free on 127.0.0.1 right now (the replica binds it a moment later). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * The settings every replica of a local fleet shares (bench:fleet, the replica fault and rollover
 * tests): the deployment and simulator seed, signature settlement, no confirmations, 200 ms polls,
 * the takeover delay and the local fake Messages API.
 */
export function sharedReplicaEnv(o: {
  deploymentFile: string;
  seedFile: string;
  takeoverS: number | string;
  modelBaseURL: string;
  apiKey: string;
}): Record<string, string> {
  return {
    DEALPROOF_DEPLOYMENT: o.deploymentFile,
    DEALPROOF_SIMULATOR_SEED_FILE: o.seedFile,
    DEALPROOF_SETTLE_MODE: "signature",
    DEALPROOF_CONFIRMATIONS: "0",
    DEALPROOF_POLL_MS: "200",
    DEALPROOF_RPC_POLL_MS: "200",
    DEALPROOF_TAKEOVER_AFTER_S: String(o.takeoverS),
    ANTHROPIC_API_KEY: o.apiKey,
    ANTHROPIC_BASE_URL: o.modelBaseURL,
    LOG_LEVEL: "info",
  };
}

/**
 * `count` fresh accounts, one per replica so each pays its own gas, derived from `seed` (the same
 * seed gives the same accounts) and funded with `eth` by `funder`.
 */
export async function fundedSenders(funder: Signer, count: number, seed: bigint, eth: string) {
  const senders = Array.from({ length: count }, (_, i) => {
    const w = new Wallet(`0x${(seed * 1000n + BigInt(i)).toString(16).padStart(64, "0")}`);
    return { address: w.address, privateKey: w.privateKey };
  });
  for (const x of senders)
    await (await funder.sendTransaction({ to: x.address, value: parseEther(eth) })).wait();
  return senders;
}

export interface ReplicaSpec {
  /** The environment every replica shares (RPC, deployment, seed, model, tuning). */
  env: Record<string, string>;
  /** Where each replica's store and log go (a folder per replica). */
  dir: string;
  /** Extra environment for replica `i` only (e.g. its own RPC URL behind a fault proxy), read at each start. */
  envFor?: (i: number) => Record<string, string>;
}

interface Replica {
  index: number;
  instanceId: string;
  /** The account paying this replica's gas (its transactions' `from`). */
  sender: string;
  url: string;
  /** Its SQLite store (read after the run for the replica's own wasted-transaction counter). */
  dbPath: string;
  /** The signer its /health reported once ready (undefined before). */
  signer: string | undefined;
  running(): boolean;
  /** Killed for good: never started again. */
  retired: boolean;
  starts: number;
  /** Exits neither we nor the final stop caused (a crash): should stay 0. */
  selfExits: number;
}

export interface Fleet {
  replicas: Replica[];
  start(i: number): Promise<void>;
  /** SIGKILL; with `forGood` the replica is never started again. */
  kill(i: number, forGood?: boolean): Promise<void>;
  /** SIGTERM, as a container stop (SIGKILL after 6 s); with `forGood` never started again. */
  stop(i: number, forGood?: boolean): Promise<void>;
  /** Resolves when replica `i` answers /health at all (registered or not). */
  listening(i: number, timeoutMs?: number): Promise<void>;
  /** Resolves when replica `i` answers /health with a registration expiry. */
  ready(i: number, timeoutMs?: number): Promise<void>;
  stopAll(): Promise<void>;
}

export async function createFleet(
  spec: ReplicaSpec,
  senders: { address: string; privateKey: string }[],
): Promise<Fleet> {
  const children = new Map<number, ChildProcess>();
  const intended = new WeakSet<ChildProcess>();
  const replicas: Replica[] = [];
  for (const [i, s] of senders.entries()) {
    const port = await freePort();
    // 20 bytes of lowercase hex, as dstack reports one (the simulator takes it from the env)
    const instanceId = (i + 1).toString(16).padStart(40, "0");
    replicas.push({
      index: i,
      instanceId,
      sender: s.address,
      url: `http://127.0.0.1:${port}`,
      dbPath: join(spec.dir, instanceId, "oracle.sqlite"),
      signer: undefined,
      running: () => {
        const c = children.get(i);
        return c !== undefined && c.exitCode === null && c.signalCode === null;
      },
      retired: false,
      starts: 0,
      selfExits: 0,
    });
  }
  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => c.once("exit", () => r()));

  async function start(i: number): Promise<void> {
    const r = replicas[i]!;
    if (r.retired || r.running()) return;
    const own = join(spec.dir, r.instanceId);
    mkdirSync(own, { recursive: true });
    const log = openSync(join(own, "oracle.log"), "a");
    const child = spawn(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", join(root, "oracle/simulator/main.ts")],
      {
        cwd: root,
        env: {
          ...process.env,
          ...spec.env,
          DEALPROOF_SENDER_KEY: senders[i]!.privateKey,
          DEALPROOF_DB: r.dbPath,
          DEALPROOF_INSTANCE_ID: r.instanceId,
          DEALPROOF_HTTP_HOST: "127.0.0.1",
          DEALPROOF_HTTP_PORT: new URL(r.url).port,
          ...spec.envFor?.(i),
        },
        stdio: ["ignore", log, log],
      },
    );
    closeSync(log); // the child holds its own copy
    children.set(i, child);
    r.starts++;
    child.once("exit", () => {
      if (intended.has(child) || r.retired) return;
      r.selfExits++;
      // like the compose file's `restart: unless-stopped`
      setTimeout(() => {
        if (children.get(i) === child) void start(i);
      }, 500);
    });
  }

  async function signal(i: number, sig: "SIGKILL" | "SIGTERM", forGood: boolean): Promise<void> {
    const r = replicas[i]!;
    const c = children.get(i);
    if (forGood) r.retired = true;
    if (c === undefined) return;
    intended.add(c);
    c.kill(sig);
    const t = sig === "SIGTERM" ? setTimeout(() => c.kill("SIGKILL"), 6000) : undefined;
    await exited(c);
    clearTimeout(t);
  }
  const kill = (i: number, forGood = false) => signal(i, "SIGKILL", forGood);
  const stop = (i: number, forGood = false) => signal(i, "SIGTERM", forGood);

  /** Polls replica `i`'s /health until `done` accepts it. */
  async function health(
    i: number,
    what: string,
    timeoutMs: number,
    done: (h: { signer?: string; registrationExpiresAt?: number | null }) => boolean,
  ): Promise<void> {
    const r = replicas[i]!;
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      try {
        const h = (await (await fetch(`${r.url}/health`)).json()) as {
          signer?: string;
          registrationExpiresAt?: number | null;
        };
        if (done(h)) {
          r.signer = h.signer;
          return;
        }
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    throw new Error(
      `${r.instanceId} was not ${what} within ${timeoutMs} ms (see ${spec.dir}/${r.instanceId}/oracle.log)`,
    );
  }
  const ready = (i: number, timeoutMs = 60_000) =>
    health(
      i,
      "ready",
      timeoutMs,
      (h) => h.registrationExpiresAt !== null && h.registrationExpiresAt !== undefined,
    );
  const listening = (i: number, timeoutMs = 60_000) => health(i, "listening", timeoutMs, () => true);

  async function stopAll(): Promise<void> {
    await Promise.all([...children.keys()].map((i) => signal(i, "SIGTERM", false)));
  }

  return { replicas, start, kill, stop, listening, ready, stopAll };
}
