/**
 * Where Automata's vendored DCAP verifier sources live, how they are compiled (solc-js 0.8.33,
 * viaIR, optimizer, Osaka, upstream's remappings), and where the compiled artifacts are cached.
 *
 * Invariants: the cache key covers package-lock.json (so the solc and solady versions), every
 * vendored .sol file (path and bytes), the compiler settings and the compile script itself, so a
 * cached artifact is never stale; the vendored sources are never inside contracts/, so
 * `hardhat build` never sees them. Absent vendor folder ⇒ `vendorPresent()` is false and nothing
 * else here is called by the tests.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

export const PROJECT_ROOT = join(import.meta.dirname, "..", "..");
export const VENDOR_ROOT = join(PROJECT_ROOT, "..", "shared", "vendor", "automata-dcap");
export const CACHE_DIR = join(PROJECT_ROOT, "node_modules", ".cache", "dealproof-automata-dcap");
export const COMPILE_SCRIPT = join(import.meta.dirname, "compile.ts");

export function vendorPresent(): boolean {
  return existsSync(
    join(VENDOR_ROOT, "dcap-attestation", "evm", "contracts", "verifiers", "V4QuoteVerifier.sol"),
  );
}

/** Upstream's foundry.toml remappings, onto source unit names relative to the vendor root ("npm/" = node_modules). */
const REMAPPINGS = [
  "@automata-network/on-chain-pccs/=on-chain-pccs/src/",
  "solady/=npm/solady/src/",
  "openzeppelin/contracts/=npm/@openzeppelin/contracts/",
  "@openzeppelin/contracts/=npm/@openzeppelin/contracts/",
  "risc0/=stubs/risc0/",
  "@sp1-contracts/=stubs/sp1/",
  "forge-std/=forge-std/src/",
] as const;

export const SETTINGS = {
  viaIR: true,
  optimizer: { enabled: true, runs: 200 },
  evmVersion: "osaka",
  remappings: [...REMAPPINGS],
} as const;

/** Contract name → source unit: what upstream's on-chain TDX test deploys. */
export const ENTRY_CONTRACTS = {
  AutomataDcapAttestationFee: "dcap-attestation/evm/contracts/AutomataDcapAttestationFee.sol",
  PCCSRouter: "dcap-attestation/evm/contracts/PCCSRouter.sol",
  V4QuoteVerifier: "dcap-attestation/evm/contracts/verifiers/V4QuoteVerifier.sol",
  AutomataDaoStorage: "on-chain-pccs/src/automata_pccs/shared/AutomataDaoStorage.sol",
  AutomataPcsDao: "on-chain-pccs/src/automata_pccs/AutomataPcsDao.sol",
  AutomataPckDao: "on-chain-pccs/src/automata_pccs/AutomataPckDao.sol",
  AutomataTcbEvalDao: "on-chain-pccs/src/automata_pccs/AutomataTcbEvalDao.sol",
  AutomataFmspcTcbDaoVersioned: "on-chain-pccs/src/automata_pccs/versioned/AutomataFmspcTcbDaoVersioned.sol",
  AutomataEnclaveIdentityDaoVersioned:
    "on-chain-pccs/src/automata_pccs/versioned/AutomataEnclaveIdentityDaoVersioned.sol",
  EnclaveIdentityHelper: "on-chain-pccs/src/helpers/EnclaveIdentityHelper.sol",
  FmspcTcbHelper: "on-chain-pccs/src/helpers/FmspcTcbHelper.sol",
  PCKHelper: "on-chain-pccs/src/helpers/PCKHelper.sol",
  X509CRLHelper: "on-chain-pccs/src/helpers/X509CRLHelper.sol",
  TcbEvalHelper: "on-chain-pccs/src/helpers/TcbEvalHelper.sol",
} as const;

export type AutomataContractName = keyof typeof ENTRY_CONTRACTS;

export interface Artifact {
  abi: unknown[];
  bytecode: string;
  deployedSize: number;
}

export interface ArtifactFile {
  key: string;
  solcVersion: string;
  compileSeconds: number;
  contracts: Record<AutomataContractName, Artifact>;
}

/** Resolves a source unit name (after remapping) to a file on disk. */
export function resolveSource(unit: string): string {
  if (unit.startsWith("npm/")) return join(PROJECT_ROOT, "node_modules", ...unit.slice(4).split("/"));
  return join(VENDOR_ROOT, ...unit.split("/"));
}

function solFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...solFiles(p));
    else if (e.name.endsWith(".sol")) out.push(p);
  }
  return out;
}

/** sha256 over the lockfile, every vendored .sol file, the settings and the compile script. */
export function cacheKey(): string {
  const h = createHash("sha256");
  h.update(readFileSync(join(PROJECT_ROOT, "package-lock.json")));
  h.update(JSON.stringify({ SETTINGS, ENTRY_CONTRACTS }));
  h.update(readFileSync(COMPILE_SCRIPT));
  for (const f of solFiles(VENDOR_ROOT).sort()) {
    h.update(relative(VENDOR_ROOT, f).split(sep).join("/"));
    h.update(readFileSync(f));
  }
  return h.digest("hex").slice(0, 32);
}

export function artifactPath(key: string): string {
  return join(CACHE_DIR, `${key}.json`);
}
