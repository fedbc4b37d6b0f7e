/**
 * The tree's one-way layering (docs/architecture.md), checked on every import of every source file:
 * a module imports only from its own layer or lower ones, folders of one layer never import each
 * other both ways, the production entry (oracle/main/main.ts, the image's CMD) never reaches the
 * simulator or any tooling, and the image leaves the simulator out. Imports are read with
 * TypeScript's own pre-processor (static, re-exports and dynamic `import("…")` alike).
 */
import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { execFileSync } from "node:child_process";
import ts from "typescript";

const root = join(import.meta.dirname, "..", "..");

/** Lowest first. A folder not listed here is not production code (test/, contracts/, …). */
export const LAYERS: readonly (readonly string[])[] = [
  ["sdk/src", "oracle/protocol"],
  ["oracle/quote", "oracle/tee", "oracle/data", "oracle/dkim", "oracle/negotiation", "oracle/deploy"],
  ["oracle/chain"],
  ["oracle/daemon"],
  ["oracle/api"],
  ["oracle/main"],
  ["oracle/simulator", "oracle/cli", "ignition"],
  ["tasks", "hardhat.config.ts"],
  ["scripts", "web/src"],
];

/** The folder (layer member) a repository path belongs to, or undefined outside the layers. */
export function folderOf(path: string): string | undefined {
  for (const layer of LAYERS) for (const f of layer) if (path === f || path.startsWith(`${f}/`)) return f;
  return undefined;
}

function rankOf(folder: string): number {
  return LAYERS.findIndex((l) => l.includes(folder));
}

export interface Edge {
  from: string;
  to: string;
}

/** Every rule broken by these file-to-file imports, as readable lines (none: the tree is one-way). */
export function violations(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  const folderEdges = new Map<string, Edge>();
  for (const e of edges) {
    const a = folderOf(e.from);
    const b = folderOf(e.to);
    if (a === undefined) continue;
    if (b === undefined) {
      out.push(`${e.from} imports ${e.to}, which is outside every layer (tests, contracts, …)`);
      continue;
    }
    if (a === b) continue;
    if (rankOf(b) > rankOf(a)) out.push(`${e.from} imports ${e.to}: ${a} is below ${b}, so it may not`);
    else if (rankOf(b) === rankOf(a)) folderEdges.set(`${a} -> ${b}`, e);
  }
  for (const [key, e] of folderEdges) {
    const [a, b] = key.split(" -> ");
    const back = folderEdges.get(`${b} -> ${a}`);
    if (back !== undefined && a! < b!)
      out.push(`${a} and ${b} import each other (${e.from} → ${e.to}, ${back.from} → ${back.to})`);
  }
  return out;
}

function sourceFiles(): string[] {
  return execFileSync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.ts", "*.tsx", "*.mjs"],
    {
      cwd: root,
      encoding: "utf8",
    },
  )
    .split("\0")
    .filter((f) => f !== "" && existsSync(join(root, f)));
}

/** The repository files one source file imports (relative specifiers, and the dapp's `dealproof` alias). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(root, file), "utf8"), true, true);
  const out: string[] = [];
  for (const { fileName } of info.importedFiles) {
    if (fileName === "dealproof" && file.startsWith("web/")) out.push("sdk/src/index.ts");
    else if (fileName.startsWith(".")) out.push(normalize(join(dirname(file), fileName)));
  }
  return out;
}

function edges(): Edge[] {
  return sourceFiles().flatMap((from) => importsOf(from).map((to) => ({ from, to })));
}

/** Every repository file reachable by imports from `entry`. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    expect(existsSync(join(root, f)), `${f} (imported on the way from ${entry}) exists`).to.equal(true);
    todo.push(...importsOf(f));
  }
  return seen;
}

/** The repository files the image's build context sends and its COPY lines take (Dockerfile, .dockerignore). */
function imageFiles(): Set<string> {
  const ignore = readFileSync(join(root, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  for (const p of ignore)
    expect(p, `.dockerignore pattern ${p} is a plain path or *.ext`).to.match(/^(\*\.)?[\w./-]+$/);
  const ignored = (f: string) =>
    ignore.some((p) => (p.startsWith("*.") ? f.endsWith(p.slice(1)) : f === p || f.startsWith(`${p}/`)));
  const copied = [
    ...readFileSync(join(root, "Dockerfile"), "utf8").matchAll(/^COPY (?!--from)(.+) \S+$/gm),
  ].flatMap((m) => m[1]!.trim().split(/\s+/));
  const all = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  }).split("\0");
  return new Set(all.filter((f) => copied.some((c) => f === c || f.startsWith(`${c}/`)) && !ignored(f)));
}

describe("structure: one-way layers", () => {
  it("the checker itself flags a backwards import, an import outside the layers and a cycle", () => {
    expect(violations([{ from: "oracle/quote/reader.ts", to: "oracle/daemon/store.ts" }])).to.have.length(1);
    expect(violations([{ from: "oracle/daemon/store.ts", to: "test/helpers.ts" }])).to.have.length(1);
    expect(
      violations([
        { from: "oracle/data/a.ts", to: "oracle/dkim/b.ts" },
        { from: "oracle/dkim/b.ts", to: "oracle/data/c.ts" },
      ]),
    ).to.have.length(1);
    expect(violations([{ from: "oracle/daemon/store.ts", to: "oracle/quote/reader.ts" }])).to.deep.equal([]);
  });

  it("no source file imports upwards, outside the layers, or across a layer both ways", () => {
    const all = edges();
    expect(all.length).to.be.greaterThan(300);
    expect(violations(all)).to.deep.equal([]);
  });

  it("every production folder is in a layer", () => {
    const folders = new Set(
      sourceFiles()
        .filter((f) => /^(oracle|sdk\/src|tasks|scripts|web\/src)\//.test(f))
        .map((f) => f.split("/").slice(0, 2).join("/")),
    );
    for (const f of folders) expect(folderOf(`${f}/x.ts`), `${f} belongs to a layer`).to.not.equal(undefined);
  });

  it("the production entry reaches only production layers: never the simulator, the CLI or tooling", () => {
    const reached = [...reachable("oracle/main/main.ts")];
    expect(reached).to.include("oracle/tee/dstack.ts");
    expect(reached).to.include("oracle/api/server.ts");
    const foreign = reached.filter((f) => {
      const folder = folderOf(f);
      return folder === undefined || rankOf(folder) > rankOf("oracle/main");
    });
    expect(foreign, "files the production entry must not reach").to.deep.equal([]);
  });

  it("the image holds everything the production entry reaches and nothing of the simulator", () => {
    const image = imageFiles();
    const missing = [...reachable("oracle/main/main.ts")].filter((f) => !image.has(f));
    expect(missing, "reached from oracle/main/main.ts but not in the image").to.deep.equal([]);
    const simulator = [...image].filter((f) => f.startsWith("oracle/simulator/"));
    expect(simulator, "simulator files in the image").to.deep.equal([]);
    expect(image.has("oracle/main/main.ts")).to.equal(true);
  });
});
