import { expect } from "chai";
import { writeFileSync } from "node:fs";

/** Awaits `p`, expects it to reject with a message matching `re`, and returns the error. */
export async function rejects(p: Promise<unknown>, re: RegExp): Promise<Error> {
  try {
    await p;
  } catch (e) {
    expect((e as Error).message).to.match(re);
    return e as Error;
  }
  expect.fail(`expected a rejection matching ${re}, but the promise resolved`);
}

/** Writes a well-formed deployments file (chain 31337, no contract behind it) to `path`. */
export function writeFakeDeployment(path: string): string {
  writeFileSync(
    path,
    JSON.stringify({
      network: "x",
      chainId: 31337,
      dealProof: "0x" + "12".repeat(20),
      verifier: "0x" + "34".repeat(20),
      verifierKind: "simulated",
      deployBlock: 0,
      deployedAt: "2026-01-01T00:00:00Z",
    }),
  );
  return path;
}

/** The files (metafile inputs) of an esbuild browser bundle of `entry`: its whole module graph. */
export async function bundledInputs(entry: string): Promise<string[]> {
  const { build } = await import("esbuild");
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: "browser",
    format: "esm",
    logLevel: "silent",
  });
  return Object.keys(r.metafile.inputs);
}
