/**
 * docs/architecture.md is true to the code: its layer diagram is the one generated from `LAYERS`
 * (the layer test's normative list), its folder table names every source folder and nothing that
 * does not exist, every repository path it quotes exists, and every contract event it names is one
 * the deployed DealProof emits. A stale page fails here with the text to paste.
 */
import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FORBIDDEN, LAYERS } from "./layers.test.ts";
import { DEAL_PROOF_ABI } from "../../sdk/src/abi.ts";

const root = join(import.meta.dirname, "..", "..");
const doc = readFileSync(join(root, "docs", "architecture.md"), "utf8");

/** The diagram's label of each layer, by the layer's first folder; a new layer needs a name here. */
const LAYER_NAMES: Readonly<Record<string, string>> = {
  "sdk/src": "protocol",
  "oracle/quote": "domain",
  "oracle/chain": "chain",
  client: "parties' client",
  "oracle/daemon": "daemon",
  "oracle/api": "api",
  "oracle/main": "entry",
  "oracle/cli": "tools",
  "oracle/simulator": "test doubles",
  tasks: "tasks",
  scripts: "scripts",
};

/** Folders shown in the diagram: the generated TypeChain types are not a room of their own. */
const shown = (f: string) => f !== "types/ethers-contracts";

/** Whether every folder of layer `a` is forbidden to import every folder of layer `b` (FORBIDDEN). */
const barred = (a: readonly string[], b: readonly string[]) =>
  a.every((f) => b.every((t) => FORBIDDEN.some((r) => `${f}/`.startsWith(r.from) && t === r.to)));

/**
 * The mermaid flowchart of `LAYERS`, lowest at the bottom, each layer pointing at the nearest one
 * below that it may import (a layer FORBIDDEN to import the next is drawn past it).
 */
export function layersDiagram(layers: readonly (readonly string[])[]): string {
  const ids = layers.map((_, i) => `L${i}`);
  const lines = ["```mermaid", "flowchart BT"];
  layers.forEach((layer, i) => {
    const name = LAYER_NAMES[layer[0]!];
    if (name === undefined) throw new Error(`layer ${layer.join(", ")} has no name in LAYER_NAMES`);
    const folders = layer.filter(shown);
    const rows: string[] = [];
    for (let k = 0; k < folders.length; k += 3) rows.push(folders.slice(k, k + 3).join(" · "));
    lines.push(`  ${ids[i]}["<b>${name}</b><br/>${rows.join("<br/>")}"]`);
  });
  const skipped: number[] = [];
  for (let i = 1; i < layers.length; i++) {
    let j = i - 1;
    while (j > 0 && barred(layers[i]!, layers[j]!)) skipped.push(j--);
    lines.push(`  ${ids[i]} --> ${ids[j]}`);
  }
  // a layer drawn past is still reached: from the lowest layer above it that may import it
  for (const k of new Set(skipped)) {
    const m = layers.findIndex((l, i) => i > k + 1 && !barred(l, layers[k]!));
    if (m !== -1) lines.push(`  ${ids[m]} --> ${ids[k]}`);
  }
  lines.push("```");
  return lines.join("\n");
}

describe("structure: docs/architecture.md is true to the code", () => {
  it("its layer diagram is the one generated from LAYERS", () => {
    const expected = layersDiagram(LAYERS);
    expect(
      doc.includes(expected),
      `docs/architecture.md must contain, under "## Layers":\n${expected}\n`,
    ).to.equal(true);
  });

  it("its folder table names every source folder, and only folders that exist", () => {
    const table = [...doc.matchAll(/^\| `([\w./-]+)\/` \|/gm)].map((m) => m[1]!);
    for (const f of table)
      expect(existsSync(join(root, f)), `${f}/ in the folder table exists`).to.equal(true);
    const folders = LAYERS.flat().filter((f) => shown(f) && !f.endsWith(".ts"));
    const missing = folders.filter((f) => !table.some((t) => f === t || f.startsWith(`${t}/`)));
    expect(missing, "source folders the table does not describe").to.deep.equal([]);
  });

  it("every repository path it quotes exists", () => {
    const quoted = [...doc.matchAll(/`((?:oracle|sdk|contracts|tasks|scripts|web|test|docs)\/[\w./<>-]*?)`/g)]
      .map((m) => m[1]!)
      .filter((p) => !p.includes("<"));
    expect(quoted.length).to.be.greaterThan(30);
    const missing = quoted.filter((p) => !existsSync(join(root, p.replace(/\/$/, ""))));
    expect(missing, "paths docs/architecture.md names that do not exist").to.deep.equal([]);
  });

  it("every contract event it names is a DealProof event", () => {
    const events = new Set<string>(DEAL_PROOF_ABI.filter((e) => e.type === "event").map((e) => e.name));
    const named = [...doc.matchAll(/\b((?:Deal|Oracle|Measurement|Trust)[A-Z][A-Za-z]*) events?\b/g)].map(
      (m) => m[1]!,
    );
    const inSequence = [...doc.matchAll(/-->>L: ([^(\n]+?) events/g)].flatMap((m) => m[1]!.split(/\s*\/\s*/));
    const all = [...new Set([...named, ...inSequence])];
    expect(all.length, "the page names the events the listener reads").to.be.greaterThan(0);
    expect(
      all.filter((e) => !events.has(e)),
      "events named that DealProof does not emit",
    ).to.deep.equal([]);
  });
});
