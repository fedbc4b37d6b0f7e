/**
 * The `dealproof` package as a dapp gets it: `npm pack` of sdk/ (built by tsc), unpacked as
 * node_modules/dealproof of a directory inside the repository (its dependencies resolve from the
 * root node_modules: offline), then two dapps that import only "dealproof" run against a local
 * chain with a registered oracle — one with ethers v6, one with viem (its TypeScript, type-checked
 * against the package's .d.ts, relies on viem inferring types from the `as const` ABI). Checks:
 * the on-chain dealIdFor equals the SDK's; an input sealed by the dapp opens in the oracle;
 * events and a custom error decode; a delivery opens and a chunk verifies against the oracle's
 * Merkle proof; the package holds no Node built-in import.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getBytes, hexlify, randomBytes } from "ethers";
import { startLocalChain, type LocalChain } from "../../scripts/lib/local-chain.ts";
import { deployDealProof } from "../../tasks/lib/deploy.ts";
import { SimulatorBackend } from "../../oracle/simulator/backend.ts";
import { loadOracleIdentity, registrationQuote, type OracleIdentity } from "../../oracle/tee/identity.ts";
import { dealProofDomain } from "../../sdk/src/eip712.ts";
import { openBuyerInput } from "../../sdk/src/inputs.ts";
import { generateX25519KeyPair } from "../../sdk/src/hpke.ts";
import { sealDelivery } from "../../sdk/src/delivery.ts";
import { MerkleBuilder } from "../../oracle/data/merkle.ts";
import { leafHash, proveFromLeaves } from "../fixtures/merkle-proofs.ts";
import { bundledInputs } from "../helpers.ts";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "node_modules", ".bin");
const BUYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"; // Hardhat account #0
const SELLER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"; // Hardhat account #1

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  return new Promise<{ code: number; out: string; err: string }>((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, out, err }));
  });
}

async function ok(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = await run(cmd, args, cwd, env);
  expect(r.code, `${cmd} ${args.join(" ")}\n${r.out}\n${r.err}`).to.equal(0);
  return r.out;
}

const ETHERS_DAPP = `
import { Contract, JsonRpcProvider, Wallet, hexlify, parseEther } from "ethers";
import { DEAL_PROOF_ABI, dealIdFor, dealProofDomain, oracleSealingKey, sealBuyerInput, generateX25519KeyPair,
  decodeDealProofEvent, decodeRevert } from "dealproof";
const { RPC, ADDR, SELLER, ROOT, KEY } = process.env;
const provider = new JsonRpcProvider(RPC);
const buyer = new Wallet(KEY, provider);
const dp = new Contract(ADDR, DEAL_PROOF_ABI, buyer);
const chainId = (await provider.getNetwork()).chainId;
const { timestamp } = await provider.getBlock("latest");
const key = oracleSealingKey(await dp.currentOracle(), timestamp);
const deadline = timestamp + 3600;
const dealId = dealIdFor(dealProofDomain(chainId, ADDR), { buyer: buyer.address, seller: SELLER, dataRoot: ROOT, deadline });
const onChain = await dp.dealIdFor(buyer.address, SELLER, ROOT, deadline);
const delivery = await generateX25519KeyPair();
const sealed = await sealBuyerInput(key, { chainId, contract: ADDR, dealId }, {
  v: 1, budgetWei: "1000000000000000000", requirements: "ethers dapp", deliveryPublicKey: hexlify(delivery.publicKey) });
const receipt = await (await dp.createDeal(SELLER, ROOT, deadline, sealed, { value: parseEther("1.5") })).wait();
const event = receipt.logs.map(decodeDealProofEvent).find((e) => e?.name === "DealCreated");
let revert = null;
try { await dp.createDeal.staticCall(SELLER, ROOT, deadline, sealed, { value: parseEther("1") }); }
catch (e) { revert = decodeRevert(e.data); }
console.log(JSON.stringify({ dealId: "0x" + dealId.toString(16), onChain: "0x" + onChain.toString(16),
  eventName: event.name, eventDealId: "0x" + event.args.dealId.toString(16), revert: revert?.text, sealed: hexlify(sealed), deadline }));
`;

const VIEM_DAPP = `
import { readFileSync } from "node:fs";
import { createPublicClient, http, type Address, type Hex } from "viem";
import { DEAL_PROOF_ABI, dealIdFor, dealProofDomain, openDelivery, verifyChunk, oracleSealingKey, type ChunkProof } from "dealproof";
const env = process.env as Record<string, string>;
const address = env.ADDR as Address;
const client = createPublicClient({ transport: http(env.RPC) });
const chainId = await client.getChainId();
const deadline = 4_000_000_000n;
// viem infers the return type from the ABI: this line type-checks only because the ABI is \`as const\`
const onChain: bigint = await client.readContract({ address, abi: DEAL_PROOF_ABI, functionName: "dealIdFor",
  args: [env.BUYER as Address, env.SELLER as Address, env.ROOT as Hex, deadline] });
// @ts-expect-error -- no such function: the typed ABI makes this a compile error
void (() => client.readContract({ address, abi: DEAL_PROOF_ABI, functionName: "noSuchFunction" }));
const oracle = await client.readContract({ address, abi: DEAL_PROOF_ABI, functionName: "currentOracle" });
const key: Uint8Array = oracleSealingKey(oracle, (await client.getBlock()).timestamp);
const logs = await client.getContractEvents({ address, abi: DEAL_PROOF_ABI, eventName: "DealCreated", fromBlock: 0n });
const created = logs[0]!;
const eventDealId: bigint | undefined = created.args.dealId;
const mine = dealIdFor(dealProofDomain(chainId, address), { buyer: env.BUYER!, seller: env.SELLER!, dataRoot: env.ROOT!, deadline });
const d = JSON.parse(readFileSync(env.DELIVERY_FILE!, "utf8")) as { privateKey: string; delivery: string;
  dealId: string; chunk: string; proof: ChunkProof; root: string };
const hexBytes = (h: string) => Uint8Array.from((h.slice(2).match(/../g) ?? []).map((b) => parseInt(b, 16)));
const payload = await openDelivery(hexBytes(d.privateKey), { chainId: BigInt(chainId), contract: address, dealId: BigInt(d.dealId) }, hexBytes(d.delivery));
const tampered = hexBytes(d.chunk); tampered[0] = tampered[0]! ^ 1;
console.log(JSON.stringify({ onChain: "0x" + onChain.toString(16), mine: "0x" + mine.toString(16),
  eventDealId: "0x" + eventDealId!.toString(16), keyLength: key.length, location: payload.location,
  chunkOk: verifyChunk(d.root, hexBytes(d.chunk), d.proof), tamperedOk: verifyChunk(d.root, tampered, d.proof) }));
`;

describe("the dealproof package (npm pack) in an ethers dapp and a viem dapp", function () {
  this.timeout(300_000);
  let chain: LocalChain;
  let consumer: string;
  let dealProof: string;
  let identity: OracleIdentity;

  before(async () => {
    // build and pack exactly as `npm pack` in sdk/ does for a release
    rmSync(join(root, "sdk", "dist"), { recursive: true, force: true });
    await ok(join(bin, "tsc"), ["-p", join(root, "sdk", "tsconfig.json")], root);
    await ok(join(bin, "node"), [join(root, "sdk", "build-cjs.mjs")], root);
    consumer = mkdtempSync(join(root, ".sdk-consumer-"));
    const packed = await ok(
      "npm",
      ["pack", "--ignore-scripts", "--pack-destination", consumer],
      join(root, "sdk"),
      {
        PATH: `${bin}:${process.env.PATH ?? ""}`,
      },
    );
    const tgz = join(consumer, packed.trim().split("\n").at(-1)!);
    const pkgDir = join(consumer, "node_modules", "dealproof");
    mkdirSync(pkgDir, { recursive: true });
    await ok("tar", ["-xzf", tgz, "-C", pkgDir, "--strip-components=1"], consumer);

    chain = await startLocalChain();
    const sim = SimulatorBackend.fromSeedFile(join(consumer, "seed"));
    const d = await deployDealProof(chain.connection, {
      networkName: "sdk",
      attestationKeys: [sim.attestationPublicKey()],
      measurements: [sim.measurementId()],
    });
    dealProof = d.dealProof;
    identity = await loadOracleIdentity(sim);
    const latest = await chain.connection.ethers.provider.getBlock("latest");
    const q = await registrationQuote(
      sim,
      identity,
      dealProofDomain(BigInt(d.chainId), d.dealProof),
      BigInt(latest!.timestamp),
    );
    const dp = await chain.connection.ethers.getContractAt("DealProof", d.dealProof);
    await (
      await dp.registerOracle(
        identity.address,
        identity.encryptionPublicKey,
        identity.instanceId,
        q.issuedAt,
        q.quote,
      )
    ).wait();
  });
  after(async () => {
    await chain?.close();
    if (consumer !== undefined) rmSync(consumer, { recursive: true, force: true });
  });

  it("ships ESM with type declarations and no Node built-in", () => {
    const pkgDir = join(consumer, "node_modules", "dealproof");
    const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
    expect([pkg.name, pkg.type, pkg.exports["."].types]).to.deep.equal([
      "dealproof",
      "module",
      "./dist/index.d.ts",
    ]);
    const js = readdirSync(join(pkgDir, "dist"), { recursive: true, encoding: "utf8" }).filter((f) =>
      f.endsWith(".js"),
    );
    expect(js).to.include.members([
      "index.js",
      "abi.js",
      "inputs.js",
      "hpke.js",
      "delivery.js",
      "merkle.js",
      join("viem", "index.js"),
    ]);
    for (const f of js)
      expect(readFileSync(join(pkgDir, "dist", f), "utf8"), f).to.not.match(/from "node:|require\(/);
  });

  it("exports `.`, `./viem` and `./deployments` for import and require, ethers, viem and zod as optional peers", () => {
    const pkg = JSON.parse(readFileSync(join(consumer, "node_modules", "dealproof", "package.json"), "utf8"));
    for (const [entry, file] of [
      [".", "index"],
      ["./viem", "viem/index"],
      ["./deployments", "deployments"],
    ] as const)
      expect(pkg.exports[entry], entry).to.deep.equal({
        types: `./dist/${file}.d.ts`,
        import: `./dist/${file}.js`,
        require: `./dist/cjs/${file === "viem/index" ? "viem" : file}.cjs`,
      });
    expect(Object.keys(pkg.dependencies).sort()).to.deep.equal(["@hpke/core", "@noble/hashes", "buffer"]);
    expect(pkg.peerDependenciesMeta).to.deep.equal({
      ethers: { optional: true },
      viem: { optional: true },
      zod: { optional: true },
    });
    expect(pkg.sideEffects).to.equal(false);
  });

  it("a CommonJS project require()s and an ESM project import()s every entry, and they agree", async () => {
    const probe = (load: string) => `
const sdk = ${load}("dealproof"), viem = ${load}("dealproof/viem"), dep = ${load}("dealproof/deployments");
const [a, b, c] = await Promise.all([sdk, viem, dep]);
const target = { chainId: 31337n, contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };
const key = { buyer: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", seller: "${SELLER}",
  dataRoot: "0x" + "11".repeat(32), deadline: 4000000000n };
const ethersId = a.dealIdFor(a.dealProofDomain(target.chainId, target.contract), key);
let err = null; try { c.deploymentFor(424242); } catch (e) { err = e.code; }
console.log(JSON.stringify({ same: ethersId === b.dealIdFor(target, key), id: "0x" + ethersId.toString(16),
  actions: ["createDeal", "getDealStatus", "watchDeal", "dealProofActions"].map((n) => typeof b[n]),
  errorClassShared: b.isDealProofError(new a.DealProofError("x.y", "m")), err }));
`;
    mkdirSync(join(consumer, "cjs"), { recursive: true });
    writeFileSync(join(consumer, "cjs", "package.json"), JSON.stringify({ type: "commonjs" }));
    writeFileSync(
      join(consumer, "cjs", "probe.js"),
      `(async () => {${probe("(async (m) => require(m))")}})();`,
    );
    writeFileSync(join(consumer, "probe.mjs"), probe("import"));
    const cjs = JSON.parse(await ok(join(bin, "node"), [join("cjs", "probe.js")], consumer));
    const esm = JSON.parse(await ok(join(bin, "node"), ["probe.mjs"], consumer));
    expect(cjs).to.deep.equal(esm);
    expect([esm.same, esm.actions, esm.errorClassShared, esm.err]).to.deep.equal([
      true,
      ["function", "function", "function", "function"],
      true,
      "deployment.unknown_chain",
    ]);
  });

  it("the packaged viem entry bundles without ethers or zod", async () => {
    const inputs = await bundledInputs(
      join(consumer, "node_modules", "dealproof", "dist", "viem", "index.js"),
    );
    expect(inputs.some((i) => i.includes("node_modules/viem/"))).to.equal(true);
    expect(inputs.filter((i) => /node_modules\/(ethers|zod|@adraffy)\//.test(i))).to.deep.equal([]);
  });

  it("an ethers v6 dapp: the SDK's deal id is the contract's, its sealed input opens in the oracle, events and errors decode", async () => {
    writeFileSync(join(consumer, "ethers-dapp.mjs"), ETHERS_DAPP);
    const rootHash = hexlify(randomBytes(32));
    const out = JSON.parse(
      await ok(join(bin, "node"), ["ethers-dapp.mjs"], consumer, {
        RPC: chain.url,
        ADDR: dealProof,
        SELLER,
        ROOT: rootHash,
        KEY: BUYER_KEY,
      }),
    );
    expect(out.dealId).to.equal(out.onChain);
    expect([out.eventName, out.eventDealId]).to.deep.equal(["DealCreated", out.dealId]);
    expect(out.revert).to.match(/^DealExists\(dealId=0x/);
    const opened = await openBuyerInput(
      identity.encryptionPrivateKey,
      { chainId: 31337n, contract: dealProof, dealId: BigInt(out.dealId) },
      getBytes(out.sealed),
    );
    expect([opened.requirements, opened.budgetWei]).to.deep.equal(["ethers dapp", "1000000000000000000"]);
  });

  it("a viem dapp in TypeScript: types inferred from the ABI, events read, a delivery opened and chunks verified", async () => {
    writeFileSync(join(consumer, "viem-dapp.ts"), VIEM_DAPP);
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2022", "DOM"],
          types: ["node"],
          typeRoots: [join(root, "node_modules", "@types")],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        files: ["viem-dapp.ts"],
      }),
    );
    await ok(join(bin, "tsc"), ["-p", join(consumer, "tsconfig.json")], consumer);

    // the oracle's side: a delivery sealed to a buyer key, and the oracle's own Merkle proof of chunk 2
    const data = randomBytes(5 * 4096 + 100);
    const tree = new MerkleBuilder(4096);
    const leaves = [];
    for (let o = 0; o < data.length; o += 4096) {
      tree.addChunk(data.subarray(o, o + 4096));
      leaves.push(leafHash(data.subarray(o, o + 4096)));
    }
    const { root: dataRoot } = tree.finish();
    const buyer = await generateX25519KeyPair();
    const dealId = 77n;
    const delivery = await sealDelivery(
      buyer.publicKey,
      { v: 1, key: hexlify(randomBytes(32)), location: "https://data.example/d.enc", chunkSize: 4096 },
      { chainId: 31337n, contract: dealProof, dealId },
    );
    const deliveryFile = join(consumer, "delivery.json");
    writeFileSync(
      deliveryFile,
      JSON.stringify({
        privateKey: hexlify(buyer.privateKey),
        delivery: hexlify(delivery),
        dealId: dealId.toString(),
        chunk: hexlify(data.subarray(2 * 4096, 3 * 4096)),
        proof: proveFromLeaves(leaves, 2, 4096, data.length),
        root: dataRoot,
      }),
    );
    const rootHash = hexlify(randomBytes(32));
    const out = JSON.parse(
      await ok(join(bin, "node"), ["--disable-warning=ExperimentalWarning", "viem-dapp.ts"], consumer, {
        RPC: chain.url,
        ADDR: dealProof,
        BUYER: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        SELLER,
        ROOT: rootHash,
        DELIVERY_FILE: deliveryFile,
      }),
    );
    expect(out.onChain).to.equal(out.mine);
    expect(out.eventDealId).to.match(/^0x[0-9a-f]+$/);
    expect([out.keyLength, out.location, out.chunkOk, out.tamperedOk]).to.deep.equal([
      32,
      "https://data.example/d.enc",
      true,
      false,
    ]);
  });
});
