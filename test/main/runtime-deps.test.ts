import { expect } from "chai";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { builtinModules } from "node:module";
import { loadConfig } from "../../oracle/daemon/config.ts";

const root = join(import.meta.dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("the oracle image", () => {
  it("imports only runtime dependencies, its own files and the SDK's sources (the image has no devDependencies)", () => {
    const bad: string[] = [];
    const seen = new Set<string>();
    for (const f of [...files(join(root, "oracle")), ...files(join(root, "sdk", "src"))]) {
      const src = readFileSync(f, "utf8");
      const specs = [
        // a whole-statement `import type` / `export type` is erased by Node: it loads nothing
        ...[...src.matchAll(/^\s*(?:import|export)\b(\s+type\b)?[^;]*?\bfrom\s+"([^"]+)"/gm)]
          .filter((m) => m[1] === undefined)
          .map((m) => m[2]!),
        ...[...src.matchAll(/^\s*import\s+"([^"]+)"/gm)].map((m) => m[1]!),
        ...[...src.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!),
      ];
      for (const spec of specs) {
        if (spec.startsWith(".")) {
          const target = relative(root, join(f, "..", spec));
          if (!target.startsWith("oracle/") && !target.startsWith("sdk/src/"))
            bad.push(
              `${relative(root, f)} imports ${spec} outside oracle/ and sdk/src/ (the image has only those)`,
            );
          continue;
        }
        const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
        if (spec.startsWith("node:") || builtinModules.includes(name)) continue;
        seen.add(name);
        if (!(name in pkg.dependencies))
          bad.push(`${relative(root, f)} imports ${spec}, not a runtime dependency`);
      }
    }
    expect(bad).to.deep.equal([]);
    expect(
      seen.has("ethers") && seen.has("@phala/dstack-sdk") && seen.has("mailauth"),
      "the scan found the oracle's imports",
    ).to.equal(true);
  });

  it("the documented .env.example is a valid configuration", () => {
    const env = Object.fromEntries(
      readFileSync(join(root, ".env.example"), "utf8")
        .split("\n")
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    const cfg = loadConfig(env);
    expect(cfg.DEALPROOF_SETTLE_MODE).to.equal("quote");
  });

  it("configuration errors name the variable and never echo a secret", () => {
    let err: unknown;
    try {
      loadConfig({
        DEALPROOF_RPC_URL: "not a url",
        DEALPROOF_DEPLOYMENT: "d.json",
        DEALPROOF_SENDER_KEY: "0xsecretsecret",
      });
    } catch (e) {
      err = e;
    }
    const msg = (err as Error).message;
    expect(msg).to.match(/DEALPROOF_RPC_URL/);
    expect(msg).to.match(/DEALPROOF_SENDER_KEY: must be a 0x-prefixed 32-byte private key/);
    expect(msg).to.not.include("secretsecret");
  });
});
