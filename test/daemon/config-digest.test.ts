/**
 * The enclave's configuration is measured or attested (oracle/daemon/config-digest.ts,
 * docs/operations.md §7): every variable the oracle reads is classified, in the code and in the
 * docs table alike; nothing the operator can set through the compose is "measured"; the digest
 * moves with every attested setting and with no operational one, never holds a secret; and a
 * deal settled by a real oracle carries the digest /health reports in its terms, bound by termsHash.
 */
import { expect } from "chai";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keccak256, toUtf8Bytes } from "ethers";
import { CONFIG_VARIABLES, loadConfig, type OracleConfig } from "../../oracle/daemon/config.ts";
import { CONFIG_CLASSES, bindConfigDigest, configDigest } from "../../oracle/daemon/config-digest.ts";
import { renderAppCompose } from "../../oracle/deploy/app-compose.ts";
import phalaAppCompose from "../../tasks/actions/phala-app-compose.ts";
import type { StoredOutcome } from "../../oracle/daemon/store.ts";
import { oracle, runDeal, rowWhen } from "./harness.ts";
import { useLocalChain, type Env } from "../fixtures/local-chain.ts";

const root = join(import.meta.dirname, "..", "..");
const docs = readFileSync(join(root, "docs", "operations.md"), "utf8");
const composeText = readFileSync(join(root, "docker-compose.yml"), "utf8");

/** The docs table: variable → class. */
function documented(): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of docs.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \| (measured|attested|operational) \|/gm))
    m.set(r[1]!, r[2]!);
  return m;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const base = loadConfig({
  DEALPROOF_RPC_URL: "http://127.0.0.1:8545",
  DEALPROOF_DEPLOYMENT: "deployments/x.json",
  DEALPROOF_SENDER_KEY: "0x" + "11".repeat(32),
});

describe("configuration: measured or attested (oracle/daemon/config-digest.ts)", function () {
  this.timeout(120_000);

  it("classifies every variable the configuration reads, in the code and in docs/operations.md alike", () => {
    const table = documented();
    expect(Object.keys(CONFIG_CLASSES).sort()).to.deep.equal([...CONFIG_VARIABLES].sort());
    for (const v of CONFIG_VARIABLES)
      expect(table.get(v), `${v} in the docs/operations.md table`).to.equal(CONFIG_CLASSES[v]);
    // and every DEALPROOF_* name the oracle's code or the compose mentions is in the table
    const names = new Set<string>();
    for (const f of [...sources(join(root, "oracle")), join(root, "docker-compose.yml")])
      for (const m of readFileSync(f, "utf8").matchAll(/\bDEALPROOF_[A-Z0-9_]+\b/g)) names.add(m[0]);
    for (const n of names) expect(table.has(n), `${n} is read or named but not classified`).to.equal(true);
  });

  it("nothing the operator can set through the compose (allowed_envs) is classified measured", () => {
    const { allowedEnvs } = renderAppCompose({
      composeText,
      image: "registry.example/dealproof-oracle@sha256:" + "ab".repeat(32),
      name: "dealproof",
    });
    const table = documented();
    for (const v of allowedEnvs) {
      expect(table.has(v), `${v} (allowed_envs) is classified`).to.equal(true);
      expect(table.get(v), `${v} is settable by the operator`).to.not.equal("measured");
    }
    for (const v of ["DEALPROOF_SETTLE_MODE", "DEALPROOF_CONFIRMATIONS", "DEALPROOF_MODEL"])
      expect(allowedEnvs).to.include(v); // settable, hence attested
  });

  it("phala:app-compose prints each settable variable's class and refuses a measured or unknown one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dealproof-compose-"));
    const image = "registry.example/dealproof-oracle@sha256:" + "ab".repeat(32);
    const args = { image, name: "dealproof", publicLogs: false, force: false, json: true };
    const printed: string[] = [];
    const log = console.log;
    console.log = (m: string) => printed.push(m);
    try {
      await phalaAppCompose({ ...args, compose: join(root, "docker-compose.yml"), out: join(dir, "a.json") });
    } finally {
      console.log = log;
    }
    const out = JSON.parse(printed[0]!) as { envClasses: Record<string, string> };
    expect(out.envClasses).to.include({
      DEALPROOF_SETTLE_MODE: "attested",
      DEALPROOF_MODEL: "attested",
      DEALPROOF_RPC_URL: "operational",
    });
    for (const [bad, why] of [
      ["DEALPROOF_TEE_MODE", "measured"],
      ["DEALPROOF_SOMETHING_NEW", "unclassified"],
    ]) {
      const compose = join(dir, `${why}.yml`);
      writeFileSync(
        compose,
        composeText.replace("DEALPROOF_TEE_MODE: dstack", `DEALPROOF_TEE_MODE: \${${bad}}`),
      );
      const e = await phalaAppCompose({ ...args, compose, out: join(dir, `${why}.json`) }).then(
        () => undefined,
        (x: unknown) => x as Error & { hint?: string },
      );
      expect(e?.message, why).to.include(`lets the operator set ${bad}`);
      expect(e?.hint).to.match(/classify it in oracle\/daemon\/config-digest\.ts/);
      expect(readdirSync(dir), "nothing written").to.not.include(`${why}.json`);
    }
  });

  it("the digest moves with every attested setting, with no operational one, and holds no secret", () => {
    const d0 = configDigest(base).digest;
    const changed: Partial<Record<keyof OracleConfig, unknown>> = {
      DEALPROOF_SETTLE_MODE: "signature",
      DEALPROOF_CONFIRMATIONS: 0,
      DEALPROOF_MODEL: "other-model",
      ANTHROPIC_API_KEY: "sk-secret-value",
      DEALPROOF_PUBLIC_URL: "https://evil.example",
      DEALPROOF_CORS_ORIGINS: ["https://evil.example"],
      DEALPROOF_MAX_ROUNDS: 1,
      DEALPROOF_MAX_DATASET_BYTES: 1,
      DEALPROOF_DNS_TIMEOUT_MS: 100,
      DEALPROOF_FETCH_IDLE_MS: 100,
      DEALPROOF_FETCH_BUDGET_MS: 100,
      DEALPROOF_FETCH_MIN_BPS: 1,
      DEALPROOF_DEAL_ATTEMPTS: 1,
      DEALPROOF_DEADLINE_MARGIN_S: 0,
      DEALPROOF_CHECK_MEMORY_MB: 64,
      DEALPROOF_CHECK_THREADS: 3,
      DEALPROOF_CHECK_QUERY_MS: 100,
      DEALPROOF_KEY_EPOCHS: [2, 1],
    };
    const attested = Object.entries(CONFIG_CLASSES).filter(([, c]) => c === "attested");
    expect(attested.map(([k]) => k).sort()).to.deep.equal(Object.keys(changed).sort());
    for (const [k, v] of Object.entries(changed))
      expect(configDigest({ ...base, [k]: v }).digest, k).to.not.equal(d0);
    for (const [k, c] of Object.entries(CONFIG_CLASSES)) {
      if (c === "attested") continue;
      const v = (base as Record<string, unknown>)[k];
      const other = typeof v === "number" ? v + 1 : typeof v === "boolean" ? !v : `${String(v)}-other`;
      expect(configDigest({ ...base, [k]: other }).digest, k).to.equal(d0);
    }
    const withKey = configDigest({ ...base, ANTHROPIC_API_KEY: "sk-secret-value" });
    expect(JSON.stringify(withKey.settings)).to.not.include("sk-secret-value");
    expect(withKey.settings.ANTHROPIC_API_KEY).to.equal("set");
    expect(configDigest({ ...base, ANTHROPIC_API_KEY: "sk-another" }).digest).to.equal(withKey.digest);
  });

  it("binding keeps termsHash = keccak256(termsJson) and changes the hash", () => {
    const termsJson = '{"agreed":false,"dealId":"1","v":1}';
    const outcome: StoredOutcome = {
      settlement: {
        dealId: 1n,
        agreed: false,
        price: "0",
        termsHash: keccak256(toUtf8Bytes(termsJson)),
        dataRoot: "0x" + "00".repeat(32),
        transcriptHash: "0x" + "00".repeat(32),
        delivery: "0x",
      },
      termsJson,
      transcriptJson: "[]",
      reason: "x",
    };
    const digest = configDigest(base).digest;
    const bound = bindConfigDigest(outcome, digest);
    expect(JSON.parse(bound.termsJson)).to.deep.equal({
      agreed: false,
      configDigest: digest,
      dealId: "1",
      v: 1,
    });
    expect(bound.settlement.termsHash).to.equal(keccak256(toUtf8Bytes(bound.termsJson)));
    expect(bound.settlement.termsHash).to.not.equal(outcome.settlement.termsHash);
  });

  describe("a real oracle", () => {
    let env: Env;
    useLocalChain((e) => (env = e));

    it("writes /health's configDigest into a settled deal's terms, which termsHash binds on-chain", async () => {
      const o = await oracle(env);
      try {
        const health = (await (await fetch(`${o.url}/health`)).json()) as {
          configDigest: string;
          config: Record<string, unknown>;
        };
        expect(health.configDigest).to.match(/^0x[0-9a-f]{64}$/);
        expect(health.config.DEALPROOF_CONFIRMATIONS).to.be.a("number");
        const d = await runDeal(env, { buyerIx: 5 });
        const row = await rowWhen(o, d.dealId);
        const terms = JSON.parse(row.outcome!.termsJson) as { configDigest: string };
        expect(terms.configDigest).to.equal(health.configDigest);
        const [ev] = await env.dp.queryFilter(
          env.dp.filters.DealSettled(d.dealId),
          env.deployment.deployBlock,
        );
        expect(ev!.args.termsHash).to.equal(keccak256(toUtf8Bytes(row.outcome!.termsJson)));
      } finally {
        await o.stop();
      }
    });
  });
});
