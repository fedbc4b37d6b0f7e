/**
 * The compiled Automata artifacts for the current cache key: read from the cache, or compiled
 * first by compile.ts in a child process (the test runner's heap never holds solc-js).
 *
 * Invariant: returns only artifacts whose key equals the current cacheKey(); a failed compile
 * throws with the compiler's own output.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { COMPILE_SCRIPT, PROJECT_ROOT, artifactPath, cacheKey, type ArtifactFile } from "./sources.ts";

function runCompile(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [COMPILE_SCRIPT], {
      cwd: PROJECT_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`compiling Automata's sources failed (exit ${code}):\n${output}`)),
    );
  });
}

export async function loadAutomataArtifacts(): Promise<ArtifactFile> {
  const key = cacheKey();
  const file = artifactPath(key);
  if (!existsSync(file)) {
    console.error(
      `automata-dcap: no cached artifacts for key ${key}; compiling once in a child process (1–3 min)`,
    );
    await runCompile();
  }
  const artifacts = JSON.parse(readFileSync(file, "utf8")) as ArtifactFile;
  if (artifacts.key !== key) throw new Error(`${file} holds artifacts for key ${artifacts.key}, not ${key}`);
  return artifacts;
}
