/**
 * docker-compose.replicas.yml (no Docker here: its structure, read as text): three services of one
 * image, each with its own volume, instance id, port, public URL and sender key, sharing the RPC,
 * the deployment and the seed that stands in for the KMS; every replica lists every replica's
 * public URL in DEALPROOF_PEERS, and every variable it sets is one the oracle reads. The Phala
 * compose (one replica per CVM) passes DEALPROOF_PEERS through its encrypted env.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_VARIABLES } from "../../oracle/daemon/config.ts";
import { renderAppCompose } from "../../oracle/deploy/app-compose.ts";

const root = join(import.meta.dirname, "..", "..");
const fleet = readFileSync(join(root, "docker-compose.replicas.yml"), "utf8");

/** Each service's block of lines, by name. */
function services(text: string): Map<string, string> {
  const body = text.slice(
    text.indexOf("\nservices:\n") + "\nservices:\n".length,
    text.indexOf("\nvolumes:\n"),
  );
  const out = new Map<string, string>();
  for (const block of body.split(/^(?= {2}[a-z0-9-]+:$)/m)) {
    const name = /^ {2}([a-z0-9-]+):$/m.exec(block)?.[1];
    if (name !== undefined) out.set(name, block);
  }
  return out;
}

const env = (block: string, key: string) => new RegExp(`^ {6}${key}: "?([^"\\n]*)"?$`, "m").exec(block)?.[1];

describe("docker-compose.replicas.yml (a fleet of three)", () => {
  const s = services(fleet);

  it("runs three services of one image, each with its own volume, instance id, port, URL and sender", () => {
    expect([...s.keys()]).to.deep.equal(["oracle-1", "oracle-2", "oracle-3"]);
    const blocks = [...s.values()];
    const images = new Set(blocks.map((b) => /^ {4}image: (.*)$/m.exec(b)?.[1]));
    expect(images.size).to.equal(1);
    expect([...images][0]).to.match(/^\$\{ORACLE_IMAGE:\?/);
    const distinct = (f: (b: string) => string | undefined) => {
      const vals = blocks.map(f);
      expect(vals.every((v) => v !== undefined && v !== "")).to.equal(true);
      expect(new Set(vals).size).to.equal(blocks.length);
      return vals as string[];
    };
    distinct((b) => /^ {6}- (oracle-\d-data):\/data$/m.exec(b)?.[1]);
    const ids = distinct((b) => env(b, "DEALPROOF_INSTANCE_ID"));
    for (const id of ids) expect(id).to.match(/^[0-9a-f]{40}$/);
    distinct((b) => env(b, "DEALPROOF_HTTP_PORT"));
    distinct((b) => env(b, "DEALPROOF_SENDER_KEY"));
    const urls = distinct((b) => env(b, "DEALPROOF_PUBLIC_URL"));
    // each replica's URL is on its own port (host networking: peers and clients reach the same URL)
    blocks.forEach((b, i) => expect(new URL(urls[i]!).port).to.equal(env(b, "DEALPROOF_HTTP_PORT")));
    for (const name of ["oracle-1-data", "oracle-2-data", "oracle-3-data"])
      expect(fleet).to.match(new RegExp(`^ {2}${name}:$`, "m"));
  });

  it("shares the RPC, the deployment and the app keys, and lists every replica as a peer", () => {
    const blocks = [...s.values()];
    const urls = blocks.map((b) => env(b, "DEALPROOF_PUBLIC_URL")).sort();
    for (const b of blocks) {
      for (const key of [
        "DEALPROOF_RPC_URL",
        "DEALPROOF_DEPLOYMENT",
        "DEALPROOF_KEY_EPOCHS",
        "DEALPROOF_SIMULATOR_SEED_FILE",
      ])
        expect(env(b, key), key).to.equal(env(blocks[0]!, key));
      expect(b).to.include("- ./.dealproof/simulator-seed:/seed/simulator-seed:ro");
      expect(env(b, "DEALPROOF_PEERS")!.split(",").sort()).to.deep.equal(urls);
      // every variable set is one the oracle reads (a typo would be silently ignored)
      const keys = [...b.matchAll(/^ {6}([A-Z_][A-Z0-9_]*):/gm)].map((m) => m[1]!);
      for (const k of keys) expect(CONFIG_VARIABLES as string[], k).to.include(k);
    }
  });

  it("lets each Phala CVM (one replica each, one measurement) set its peers through the encrypted env", () => {
    const compose = readFileSync(join(root, "docker-compose.yml"), "utf8");
    const r = renderAppCompose({
      composeText: compose,
      image: `registry.example/dealproof-oracle@sha256:${"ab".repeat(32)}`,
      name: "dealproof-oracle",
    });
    expect(r.allowedEnvs).to.include.members([
      "DEALPROOF_PEERS",
      "DEALPROOF_PUBLIC_URL",
      "DEALPROOF_SENDER_KEY",
    ]);
    // one oracle service per CVM: its instance id (hence its signer) is the CVM's own
    expect([...services(compose).keys()]).to.deep.equal(["oracle"]);
    expect(compose).to.not.include("DEALPROOF_INSTANCE_ID");
  });
});
