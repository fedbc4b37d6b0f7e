/**
 * The project's one test command (`npm test`): type-check, lint, the dead-code check, then every test suite
 * (Solidity tests, including fuzz and invariant tests, and the mocha tests in TypeScript).
 * It streams each tool's output and ends with one line, `N passed, N failed` (skipped tests, if
 * any, are reported on the line before; a failing build or check counts as one failed test),
 * summed over every suite that ran, which is what CI reads.
 *
 * `npm test -- --only solidity|mocha` runs one suite; `--skip-checks` skips type-check and lint;
 * anything after `--files` is passed to the test runners as file paths.
 */
import { spawn } from "node:child_process";
import { delimiter, join } from "node:path";
import { parseSummary, type Counts } from "./lib/summary.ts";

const binDir = join(import.meta.dirname, "..", "node_modules", ".bin");
const env = { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ""}` };

interface StepResult {
  exitCode: number;
  output: string;
}

function run(cmd: string, args: readonly string[]): Promise<StepResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on("close", (code, signal) => resolve({ exitCode: code ?? (signal === null ? 1 : 128), output }));
  });
}

const argv = process.argv.slice(2);
const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1] : undefined;
const skipChecks = argv.includes("--skip-checks");
const files = argv.includes("--files") ? argv.slice(argv.indexOf("--files") + 1) : [];

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
const problems: string[] = [];
/** A failing build or check counts as one failed test, so the count line alone shows it. */
function problem(what: string): void {
  problems.push(what);
  total.failed += 1;
}

// Compile first: the type-check needs the contract types Hardhat generates (types/).
console.log("\n== build");
const build = await run("hardhat", ["build"]);
if (build.exitCode !== 0) problem(`build failed (exit ${build.exitCode})`);

if (!skipChecks) {
  const checks: [string, string, string[]][] = [
    ["type-check", "tsc", ["--noEmit", "-p", "tsconfig.json"]],
    ["type-check (web)", "tsc", ["--noEmit", "-p", "web/tsconfig.json"]],
    ["eslint", "eslint", ["--max-warnings", "0", "."]],
    ["prettier", "prettier", ["--check", "--log-level", "warn", "."]],
    // Dead code (knip.jsonc): fails on a file no entry point reaches or an export nobody imports.
    ["dead code (knip)", "knip", ["--no-progress", "--no-config-hints"]],
    [
      "solhint (contracts)",
      "solhint",
      [
        "--max-warnings",
        "0",
        "contracts/*.sol",
        "contracts/lib/*.sol",
        "contracts/dev/*.sol",
        "contracts/interfaces/*.sol",
      ],
    ],
    [
      "solhint (test contracts)",
      "solhint",
      ["--max-warnings", "0", "-c", "contracts/test/.solhint.json", "contracts/test/**/*.sol"],
    ],
  ];
  for (const [name, cmd, args] of checks) {
    console.log(`\n== ${name}`);
    const r = await run(cmd, args);
    if (r.exitCode !== 0) problem(`${name} failed (exit ${r.exitCode})`);
  }
}

const suites: [string, string[]][] = [
  ["solidity", ["test", "solidity", ...files.filter((f) => f.endsWith(".sol"))]],
  ["mocha", ["test", "mocha", ...files.filter((f) => f.endsWith(".ts"))]],
];
let compiled = build.exitCode === 0;
for (const [name, args] of suites) {
  if (only !== undefined && only !== name) continue;
  if (files.length > 0 && args.length === 2) continue;
  console.log(`\n== ${name} tests`);
  const r = await run("hardhat", compiled ? [...args, "--no-compile"] : args);
  compiled = true;
  const counts = parseSummary(r.output);
  if (counts === undefined) {
    problem(`${name} tests did not finish (exit ${r.exitCode}, no summary printed)`);
    continue;
  }
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
  if (r.exitCode !== 0 && counts.failed === 0) problem(`${name} tests exited ${r.exitCode}`);
}

console.log("");
for (const p of problems) console.log(`problem: ${p}`);
if (total.skipped > 0) console.log(`${total.skipped} skipped (not run: see the messages above)`);
// the count line CI reads: exactly "N passed, N failed", alone on the last line
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exit(problems.length > 0 || total.failed > 0 ? 1 : 0);
