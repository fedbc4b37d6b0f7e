/**
 * docs/local.md works exactly as written: its ```sh hand-run``` blocks are run in order with bash
 * from the project root — `background` blocks as long-lived processes (the node, the oracle),
 * the others to completion with `set -euo pipefail`. The only change: the ports 8545 and 8080
 * become free ones, so the test never meets another process. deployments/localhost.json is
 * restored afterwards if there was one.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { delimiter, join } from "node:path";
import { HDNodeWallet, Wallet } from "ethers";

const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

const root = join(import.meta.dirname, "..", "..");
/** Every ```sh hand-run``` block of a markdown text, in order. */
const env: Record<string, string | undefined> = {
  ...process.env,
  PATH: `${join(root, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`,
};

export interface Block {
  background: boolean;
  script: string;
}

export function handRunBlocks(markdown: string): Block[] {
  return [...markdown.matchAll(/^```sh hand-run( background)?\n([\s\S]*?)^```$/gm)].map((m) => ({
    background: m[1] !== undefined,
    script: m[2]!,
  }));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function until(what: string, ok: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function run(script: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", `set -euo pipefail\n${script}`], { cwd: root, env });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

describe("docs/local.md: the hand-run on a local node", function () {
  this.timeout(300_000);
  const background: ChildProcess[] = [];
  const deployment = join(root, "deployments", "localhost.json");
  const saved = `${deployment}.before-hand-run-test`;

  before(() => {
    if (existsSync(deployment)) renameSync(deployment, saved);
  });
  after(() => {
    for (const c of background) if (c.pid !== undefined) process.kill(-c.pid, "SIGTERM");
    rmSync(deployment, { force: true });
    if (existsSync(saved)) renameSync(saved, deployment);
  });

  it("runs every documented command, and the deal settles, delivers and withdraws", async () => {
    const blocks = handRunBlocks(readFileSync(join(root, "docs", "local.md"), "utf8"));
    expect(blocks.map((b) => b.background)).to.deep.equal([true, false, true, false]);
    const node = await freePort();
    const api = await freePort();
    // the tasks' defaults (http://127.0.0.1:8545 and :8080), moved to the same free ports
    env.LOCAL_RPC_URL = `http://127.0.0.1:${node}`;
    env.DEALPROOF_ORACLE_URL = `http://127.0.0.1:${api}`;
    const logs: string[] = [];
    for (const b of blocks) {
      const script = b.script.replaceAll("8545", String(node)).replaceAll("8080", String(api));
      if (b.background) {
        const child = spawn("bash", ["-c", script], { cwd: root, env, detached: true });
        let log = "";
        child.stdout!.on("data", (d: Buffer) => (log += d.toString()));
        child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
        background.push(child);
        logs.push("");
        const i = logs.length - 1;
        child.on("close", () => (logs[i] = log));
        // the node answers JSON-RPC; the oracle's API reports a registration
        const ready = script.includes("hardhat node")
          ? async () =>
              (
                await fetch(`http://127.0.0.1:${node}`, {
                  method: "POST",
                  headers: { "content-type": "application/json" },
                  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
                })
              ).ok
          : async () =>
              (
                (await (await fetch(`http://127.0.0.1:${api}/health`)).json()) as {
                  registrationExpiresAt: unknown;
                }
              ).registrationExpiresAt !== null;
        await until(`${script.split("\n").at(-2)} (log: ${log.slice(-2000)})`, ready);
      } else {
        const r = await run(script);
        expect(r.code, r.out).to.equal(0);
        expect(r.out).to.not.match(/^\s+at /m); // no stack trace anywhere
        logs.push(r.out);
      }
    }
    const last = logs.at(-1)!;
    expect(last).to.match(/Settled/);
    expect(last).to.match(/the received dataset is the seller's/);
    expect(last).to.match(/terms and transcript match the hashes settled on-chain/);
    expect(last).to.match(/withdrew .* ETH \(seller\)/);
    // the buyer's change: escrow 1.5 − a price within the budget of 1
    expect(last).to.match(/withdrew (0\.[5-9]|1\.[0-4])[0-9]* ETH \(buyer\)/);
  });

  it("gives the oracle the node's account #2, which no party uses", async () => {
    const doc = readFileSync(join(root, "docs", "local.md"), "utf8");
    const key = /DEALPROOF_SENDER_KEY=(0x[0-9a-f]{64})/.exec(doc)?.[1];
    expect(doc).to.match(/The sender key is the node's account #2/);
    // Hardhat's node accounts come from its default mnemonic, m/44'/60'/0'/0/i
    const account = (i: number) =>
      HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
    expect(new Wallet(key!).address).to.equal(account(2).address);
    // the parties of the walk-through are #0 (buyer, the default) and #1 (seller)
    expect(doc).to.include(`--seller ${account(1).address}`);
  });
});
