import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { existsSync, readFileSync, statSync } from "node:fs";
import { getBytes, isHexString } from "ethers";
import { userError } from "./user-error.ts";
import { dealIdArg, dealIdHex, taskDeployment, writeNewFile } from "./context.ts";
import { commitFile, encryptFile, progressPrinter, verifyFile } from "../../client/files.ts";
import { receiveDeal } from "../../client/receive.ts";
import { chainError } from "../../sdk/src/revert.ts";

function chunk(s: string): number {
  if (!/^[0-9]+$/.test(s)) throw userError(`--chunk-size must be a number of bytes, got "${s}"`);
  return Number(s);
}
function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    throw userError(`cannot read ${path}`, { code: "task.cannot_read", hint: "check the file's path" });
  }
}
async function wrap<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw chainError(e);
  }
}

export async function commit(a: { path: string; chunkSize: string; json: boolean }) {
  const size = fileSize(a.path);
  const m = await wrap(() => commitFile(a.path, chunk(a.chunkSize), progressPrinter("hashing", size)));
  console.log(
    a.json
      ? JSON.stringify(m)
      : `dataRoot ${m.root}\n${m.size} bytes in ${m.chunkCount} chunks of ${m.chunkSize}`,
  );
}

export async function encrypt(a: {
  path: string;
  out: string;
  key: string;
  keyOut: string;
  chunkSize: string;
  force: boolean;
  json: boolean;
}) {
  if (a.out === "") throw userError("--out is required: where to write the encrypted dataset");
  for (const [opt, f] of [
    ["--out", a.out],
    ["--key-out", a.keyOut],
  ] as const)
    if (!a.force && f !== "" && existsSync(f))
      throw userError(`${opt} ${f} exists already: choose another file, or add --force to replace it`);
  if (a.key !== "" && !isHexString(a.key, 32)) throw userError("--key must be 0x followed by 64 hex digits");
  const size = fileSize(a.path);
  const r = await wrap(() =>
    encryptFile(a.path, a.out, {
      key: a.key === "" ? undefined : getBytes(a.key),
      chunkSize: chunk(a.chunkSize),
      onProgress: progressPrinter("encrypting", size),
    }),
  );
  if (a.keyOut !== "") writeNewFile(a.keyOut, r.key + "\n", a.force, "--key-out");
  const key = a.keyOut === "" && a.key === "" ? r.key : undefined;
  if (a.json) console.log(JSON.stringify({ ...r.manifest, encrypted: a.out, ...(key ? { key } : {}) }));
  else {
    console.log(`dataRoot ${r.manifest.root}\nencrypted ${a.out} (${r.manifest.chunkCount} chunks)`);
    if (key)
      console.log(
        `dataset key ${key}\n(secret: it goes only into your sealed seller input; use --key-out to keep it off the terminal)`,
      );
  }
}

export async function verify(a: { path: string; root: string; chunkSize: string; json: boolean }) {
  if (!isHexString(a.root, 32)) throw userError("--root must be 0x followed by 64 hex digits");
  const r = await wrap(() => verifyFile(a.path, a.root, chunk(a.chunkSize)));
  if (a.json)
    console.log(JSON.stringify({ ok: r.ok, root: r.manifest.root, expected: a.root.toLowerCase() }));
  else
    console.log(
      r.ok
        ? `OK: ${a.path} matches ${a.root}`
        : `MISMATCH: ${a.path} has root ${r.manifest.root}, not ${a.root}`,
    );
  if (!r.ok) process.exitCode = 1;
}

export async function receive(
  a: { dealId: string; key: string; out: string; force: boolean; json: boolean },
  hre: HardhatRuntimeEnvironment,
) {
  const id = dealIdArg(a.dealId);
  if (a.key === "" || a.out === "")
    throw userError("--key (the delivery private key file) and --out are required");
  let keyHex: string;
  try {
    keyHex = readFileSync(a.key, "utf8").trim();
  } catch {
    throw userError(`cannot read the key file ${a.key}`, {
      code: "task.cannot_read",
      hint: "give the file deal:create wrote with --delivery-key-out",
    });
  }
  if (!isHexString(keyHex, 32)) throw userError(`${a.key} must hold the 32-byte X25519 private key as hex`);
  if (!a.force && existsSync(a.out))
    throw userError(`--out ${a.out} exists already: choose another file, or add --force to replace it`);
  const connection = await hre.network.getOrCreate();
  const deployment = taskDeployment(hre, connection.networkName);
  const r = await wrap(async () =>
    receiveDeal(connection.ethers.provider, deployment, id, getBytes(keyHex), a.out),
  );
  console.log(
    a.json
      ? JSON.stringify(r)
      : `received deal ${dealIdHex(id)}: ${r.size} bytes verified against ${r.dataRoot}, written to ${r.outPath}`,
  );
}
