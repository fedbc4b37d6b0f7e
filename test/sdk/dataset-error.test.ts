/**
 * One dataset error class (issue 22): every `dataset.*` code the project throws — SDK (browser
 * commit/decrypt, key delivery) and oracle (fetch, verify, decrypt) — is a DatasetError from
 * sdk/src/dataset-error.ts and a DealProofError. Checked two ways: the sources construct no
 * `dataset.*` code anywhere else (and every code of the union is thrown somewhere), and the codes
 * thrown at run time by each side are instances of the one class.
 */
import { expect } from "chai";
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { join, relative } from "node:path";
import { tmpdir } from "node:os";
import { pathToFileURL } from "node:url";
import { hexlify, randomBytes, Wallet } from "ethers";
import { DatasetError } from "../../sdk/src/dataset-error.ts";
import { isDealProofError } from "../../sdk/src/errors.ts";
import { commitDataset, decryptAndVerifyDataset } from "../../sdk/src/dataset-stream.ts";
import { openDelivery, sealDelivery } from "../../sdk/src/delivery.ts";
import { generateX25519KeyPair } from "../../sdk/src/hpke.ts";
import { fetchAndVerifyDataset } from "../../oracle/data/dataset.ts";
import { encryptStream } from "../../oracle/data/encryption.ts";

const root = join(import.meta.dirname, "..", "..");
// every production folder (client/ where the tree has it)
const SOURCE_DIRS = ["oracle", "client", "sdk/src", "tasks", "scripts", "web/src"].filter((d) =>
  existsSync(join(root, d)),
);

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.(ts|tsx|mjs)$/.test(d.name))
    .map((d) => relative(root, join(d.parentPath, d.name)));
}

async function thrown(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

function expectOneClass(e: unknown, code: string): void {
  expect(e, String(e)).to.be.instanceOf(DatasetError);
  expect(isDealProofError(e), String(e)).to.equal(true);
  expect((e as DatasetError).code).to.equal(code);
  expect((e as DatasetError).name).to.equal("DatasetError");
}

describe("one dataset error class (issue 22)", () => {
  it("no source constructs a dataset.* code outside DatasetError, and every code is thrown", () => {
    const union = readFileSync(join(root, "sdk/src/dataset-error.ts"), "utf8");
    const codes = [
      ...(/type DatasetErrorCode =([^;]*);/.exec(union)?.[1] ?? "").matchAll(/"([a-z_]+)"/g),
    ].map((m) => m[1]!);
    expect(codes).to.include.members(["fetch_failed", "root_mismatch", "bad_delivery", "no_webcrypto"]);
    const used = new Set<string>();
    const offenders: string[] = [];
    for (const dir of SOURCE_DIRS)
      for (const file of sources(dir)) {
        if (file === "sdk/src/dataset-error.ts") continue;
        // code only: comment lines may name codes
        const text = readFileSync(join(root, file), "utf8")
          .split("\n")
          .filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l))
          .join("\n");
        // a dataset.* literal is only ever compared with (=== / !==) or listed in a Set looked up by
        // code (the retry policy's), never passed to a constructor
        for (const m of text.matchAll(/(.{0,20})["'`]dataset\.[a-z_]+["'`]/g))
          if (!/[!=]== ?$/.test(m[1]!) && !/new Set<string>\(\[$/.test(m[1]!))
            offenders.push(`${file}: ${m[0]}`);
        if (/DealProofError<`dataset\./.test(text)) offenders.push(`${file}: a second dataset error class`);
        for (const m of text.matchAll(/new DatasetError\(\s*"([a-z_]+)"/g)) used.add(m[1]!);
      }
    expect(offenders).to.deep.equal([]);
    expect(codes.filter((c) => !used.has(c))).to.deep.equal([]);
  });

  it("the SDK's commit, decrypt and delivery failures are the one class", async () => {
    expectOneClass(await thrown(commitDataset(new Blob([]))), "dataset.empty");
    expectOneClass(
      await thrown(decryptAndVerifyDataset(new Blob([new Uint8Array(64)]), "0x12", "0x" + "00".repeat(32))),
      "dataset.bad_format",
    );
    const buyer = await generateX25519KeyPair();
    const stranger = await generateX25519KeyPair();
    const ctx = { chainId: 1n, contract: Wallet.createRandom().address, dealId: 3n };
    const sealed = await sealDelivery(
      buyer.publicKey,
      { v: 1, key: hexlify(randomBytes(32)), location: "https://example.org/d.enc", chunkSize: 4096 },
      ctx,
    );
    expectOneClass(await thrown(openDelivery(stranger.privateKey, ctx, sealed)), "dataset.bad_delivery");
  });

  it("the oracle's fetch and verify failures are the one class", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dealproof-dataset-error-"));
    const key = randomBytes(32);
    const plain = Buffer.from("id,v\n1,2\n");
    const parts: Buffer[] = [];
    for await (const p of encryptStream(
      (async function* () {
        yield plain;
      })(),
      key,
      plain.length,
      4096,
    ))
      parts.push(Buffer.from(p));
    const file = join(dir, "d.enc");
    writeFileSync(file, Buffer.concat(parts));
    const loc = (location: string, k = hexlify(key)) => ({ location, key: k, chunkSize: 4096 });
    const zero = "0x" + "00".repeat(32);
    expectOneClass(await thrown(fetchAndVerifyDataset(loc(file), zero)), "dataset.root_mismatch");
    expectOneClass(await thrown(fetchAndVerifyDataset(loc(file, "0x12"), zero)), "dataset.bad_format");
    expectOneClass(
      await thrown(fetchAndVerifyDataset(loc(pathToFileURL(join(dir, "missing.enc")).href), zero)),
      "dataset.fetch_failed",
    );
    expectOneClass(
      await thrown(fetchAndVerifyDataset(loc(file, hexlify(randomBytes(32))), zero)),
      "dataset.decrypt_failed",
    );
  });
});
