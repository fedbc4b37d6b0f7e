#!/usr/bin/env node
// Sets the project up from a fresh clone with any Node >= 18 and npm on the machine.
//
// Hardhat 3 needs Node >= 22.13, and npm only installs @nomicfoundation/edr's native
// platform package when npm itself runs under Node 22 (the package declares engines
// node >= 22, and npm skips optional dependencies whose engines do not match).
// So the install runs `npm ci` under the pinned `node` devDependency's version, fetched
// by npx. Afterwards node_modules/.bin/node is Node 22, and every npm script uses it.
//
// A stamp in node_modules records the lockfile hash that was installed: when nothing
// changed, a second run does nothing.
//
// Plain JavaScript on purpose: it must run on the machine's Node before anything is installed.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lockPath = join(root, "package-lock.json");
const stampPath = join(root, "node_modules", ".dealproof-install-stamp");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const nodeVersion = pkg.devDependencies?.node;
if (!nodeVersion) {
  console.error("bootstrap: package.json has no pinned `node` devDependency");
  process.exit(1);
}

const lockHash = createHash("sha256").update(readFileSync(lockPath)).digest("hex");
const wanted = `${lockHash} ${process.platform}-${process.arch} node@${nodeVersion}`;

const edrPlatform = {
  "linux-x64": "edr-linux-x64-gnu",
  "linux-arm64": "edr-linux-arm64-gnu",
  "darwin-x64": "edr-darwin-x64",
  "darwin-arm64": "edr-darwin-arm64",
  "win32-x64": "edr-win32-x64-msvc",
}[`${process.platform}-${process.arch}`];

function installed() {
  if (!existsSync(stampPath) || readFileSync(stampPath, "utf8").trim() !== wanted) return false;
  if (!existsSync(join(root, "node_modules", ".bin", process.platform === "win32" ? "node.cmd" : "node")))
    return false;
  if (edrPlatform && !existsSync(join(root, "node_modules", "@nomicfoundation", edrPlatform))) return false;
  return true;
}

if (installed()) {
  console.error(`bootstrap: dependencies are up to date (node ${nodeVersion}); nothing to install`);
  process.exit(0);
}

console.error(`bootstrap: installing dependencies with npm ci under node@${nodeVersion} ...`);
const npx = process.platform === "win32" ? "npx.cmd" : "npx";
const result = spawnSync(npx, ["-y", "-p", `node@${nodeVersion}`, "npm", "ci", "--no-audit", "--no-fund"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, npm_config_loglevel: process.env.npm_config_loglevel ?? "warn" },
});
if (result.status !== 0) {
  console.error(`bootstrap: npm ci failed (exit ${result.status ?? result.signal})`);
  process.exit(result.status ?? 1);
}
if (edrPlatform && !existsSync(join(root, "node_modules", "@nomicfoundation", edrPlatform))) {
  console.error(
    `bootstrap: @nomicfoundation/${edrPlatform} is still missing after npm ci; ` +
      "Hardhat's simulated chain cannot start. Check that npm ran under Node 22.",
  );
  process.exit(1);
}
writeFileSync(stampPath, wanted + "\n");
console.error("bootstrap: done");
