/**
 * Compiles Automata's vendored DCAP verifier (see sources.ts) with solc-js and writes the
 * artifacts to the cache, once per cache key. Run it as its own process (`node
 * scripts/automata/compile.ts`; artifacts.ts spawns it): solc-js with viaIR holds a large heap
 * for a minute or two, which must not live inside the test runner.
 *
 * Invariants: the artifact file appears atomically (write to a temp file, then rename), only when
 * every entry contract compiled without errors; an existing artifact for the current key is reused.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import solc from "solc";
import {
  CACHE_DIR,
  ENTRY_CONTRACTS,
  SETTINGS,
  artifactPath,
  cacheKey,
  resolveSource,
  vendorPresent,
  type Artifact,
  type ArtifactFile,
  type AutomataContractName,
} from "./sources.ts";

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<
      string,
      { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }
    >
  >;
}

if (!vendorPresent()) {
  console.error("automata-dcap vendor folder (../shared/vendor/automata-dcap) is absent: nothing to compile");
  process.exit(2);
}

const key = cacheKey();
const out = artifactPath(key);
if (existsSync(out)) {
  console.log(`automata-dcap: cached artifacts ${out}`);
  process.exit(0);
}

const sources: Record<string, { content: string }> = {};
const outputSelection: Record<string, Record<string, string[]>> = {};
for (const [name, unit] of Object.entries(ENTRY_CONTRACTS)) {
  sources[unit] = { content: readFileSync(resolveSource(unit), "utf8") };
  outputSelection[unit] = {
    ...outputSelection[unit],
    [name]: ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"],
  };
}
const input = { language: "Solidity", sources, settings: { ...SETTINGS, outputSelection } };

function findImports(unit: string): { contents: string } | { error: string } {
  try {
    return { contents: readFileSync(resolveSource(unit), "utf8") };
  } catch {
    return { error: `not found: ${unit} (looked at ${resolveSource(unit)})` };
  }
}

console.log(
  `automata-dcap: compiling ${Object.keys(ENTRY_CONTRACTS).length} contracts with solc ${solc.version()} (viaIR; takes a few minutes)`,
);
const started = Date.now();
const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as SolcOutput;
const compileSeconds = Math.round((Date.now() - started) / 100) / 10;

const errors = (output.errors ?? []).filter((e) => e.severity === "error");
if (errors.length > 0) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}

const contracts = {} as Record<AutomataContractName, Artifact>;
for (const [name, unit] of Object.entries(ENTRY_CONTRACTS) as [AutomataContractName, string][]) {
  const c = output.contracts?.[unit]?.[name];
  if (c === undefined || c.evm.bytecode.object === "") {
    console.error(`automata-dcap: ${name} (${unit}) produced no bytecode`);
    process.exit(1);
  }
  contracts[name] = {
    abi: c.abi,
    bytecode: `0x${c.evm.bytecode.object}`,
    deployedSize: c.evm.deployedBytecode.object.length / 2,
  };
}

const file: ArtifactFile = { key, solcVersion: solc.version(), compileSeconds, contracts };
mkdirSync(CACHE_DIR, { recursive: true });
const tmp = `${out}.${process.pid}.tmp`;
writeFileSync(tmp, JSON.stringify(file));
renameSync(tmp, out);
console.log(`automata-dcap: compiled in ${compileSeconds} s → ${out}`);
