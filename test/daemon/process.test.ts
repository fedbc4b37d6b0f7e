import { expect } from "chai";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { formatEther } from "ethers";
import { setupEnv, runDeal, waitFor, settledEvents, type Env } from "./harness.ts";
import { LOCAL_SENDER_KEY } from "../../scripts/lib/local-oracle.ts";
import { scenarioByName, units } from "../../oracle/negotiation/scenarios.ts";

const root = join(import.meta.dirname, "..", "..");

describe("the oracle as a process (oracle/daemon/main.ts)", function () {
  this.timeout(90_000);
  let env: Env;
  before(async () => {
    env = await setupEnv();
  });
  after(async () => {
    await env.chain.close();
  });

  it("settles a deal, logs JSON without private values, and exits 0 on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", join(root, "oracle/daemon/main.ts")],
      {
        cwd: root,
        env: {
          ...process.env,
          DEALPROOF_RPC_URL: env.rpcUrl,
          DEALPROOF_DEPLOYMENT: env.deploymentFile,
          DEALPROOF_SENDER_KEY: LOCAL_SENDER_KEY,
          DEALPROOF_SIMULATOR_SEED_FILE: env.seedFile,
          DEALPROOF_DB: join(env.dir, "process.sqlite"),
          DEALPROOF_CONFIRMATIONS: "0",
          DEALPROOF_POLL_MS: "50",
          DEALPROOF_RPC_POLL_MS: "50",
          DEALPROOF_HTTP_HOST: "127.0.0.1",
          DEALPROOF_HTTP_PORT: "0",
          LOG_LEVEL: "debug",
          ANTHROPIC_API_KEY: "",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    try {
      await waitFor("the oracle to start", () => out.includes("oracle started") || undefined);
      const deal = await runDeal(env, { buyerIx: 9, email: null });
      await waitFor(
        "settlement",
        async () => ((await settledEvents(env, deal.dealId)).length === 1 ? true : undefined),
        60_000,
      );
      await waitFor("the settled log line", () => out.includes("deal settled") || undefined);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).to.equal(0);
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
});
