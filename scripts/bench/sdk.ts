/**
 * `npm run bench:sdk [-- --json]`: what a dapp ships of the SDK (a benchmark, not a test). Builds
 * the package as `npm pack` does (tsc for ESM, esbuild for CommonJS), then bundles one buyer flow
 * (create a deal with its input sealed, watch the deal, read its status: viem for the chain) from
 * the built dist/ with esbuild (minify, tree-shake, browser) two ways, and reports each bundle's
 * gzip size and how much of it is ethers and zod:
 *   viemEntryKbGzip   — the flow on `dealproof/viem` (its actions; no ethers, no zod);
 *   ethersEntryKbGzip — the same flow as docs/sdk.md wrote it before the viem entry: viem for the
 *                       chain, `dealproof` (ethers + zod) for sealing and the deal id;
 *   viemEntrySdkKbGzip, ethersEntrySdkKbGzip — the same bundles with viem left out (external): the
 *                       SDK's own share, what a dapp that has viem anyway adds.
 * Target: the viem entry's bundle far below the 117 kB the `dealproof` one was.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";

const { values: args } = parseArgs({ options: { json: { type: "boolean" } } });
const root = join(import.meta.dirname, "..", "..");
const sdk = join(root, "sdk");

/** The buyer flow on the viem entry: its actions do the sealing, the id and the escrow. */
const VIEM_FLOW = `
import { createPublicClient, createWalletClient, custom } from "viem";
import { createDeal, getDealStatus, watchDeal } from "dealproof/viem";
export async function buy(ethereum, a) {
  const wallet = createWalletClient({ transport: custom(ethereum) });
  const pub = createPublicClient({ transport: custom(ethereum) });
  const [account] = await wallet.requestAddresses();
  const { dealId, hash } = await createDeal(wallet, { ...a, account });
  await pub.waitForTransactionReceipt({ hash });
  const unwatch = watchDeal(pub, { address: a.address, dealId, onEvent: a.onEvent });
  return { status: await getDealStatus(pub, { address: a.address, dealId }), unwatch };
}
`;

/** The same flow on the `dealproof` entry (ethers + zod): viem for the chain, the SDK for the bytes. */
const ETHERS_ENTRY_FLOW = `
import { createPublicClient, createWalletClient, custom, toHex } from "viem";
import { DEAL_PROOF_ABI, dealIdFor, dealProofDomain, dealStateName, generateX25519KeyPair, oracleSealingKey,
  sealBuyerInput } from "dealproof";
export async function buy(ethereum, a) {
  const wallet = createWalletClient({ transport: custom(ethereum) });
  const pub = createPublicClient({ transport: custom(ethereum) });
  const [account] = await wallet.requestAddresses();
  const chainId = await pub.getChainId();
  const oracle = await pub.readContract({ address: a.address, abi: DEAL_PROOF_ABI, functionName: "currentOracle" });
  const { timestamp } = await pub.getBlock();
  const key = oracleSealingKey(oracle, timestamp);
  const dealId = dealIdFor(dealProofDomain(chainId, a.address), { buyer: account, seller: a.seller, dataRoot: a.dataRoot, deadline: a.deadline });
  const delivery = await generateX25519KeyPair();
  const sealed = await sealBuyerInput(key, { chainId: BigInt(chainId), contract: a.address, dealId },
    { v: 1, budgetWei: a.budgetWei.toString(), requirements: a.requirements, deliveryPublicKey: toHex(delivery.publicKey) });
  await a.saveDeliveryKey(toHex(delivery.privateKey));
  const hash = await wallet.writeContract({ address: a.address, abi: DEAL_PROOF_ABI, functionName: "createDeal", account,
    chain: null, args: [a.seller, a.dataRoot, a.deadline, toHex(sealed)], value: a.escrowWei });
  await pub.waitForTransactionReceipt({ hash });
  const unwatch = pub.watchContractEvent({ address: a.address, abi: DEAL_PROOF_ABI, args: { dealId }, onLogs: a.onEvent });
  const d = await pub.readContract({ address: a.address, abi: DEAL_PROOF_ABI, functionName: "getDeal", args: [dealId] });
  return { status: dealStateName(d.state), unwatch };
}
`;

/** Bytes of the output that came from a package (node_modules/<name>/). */
function fromPackage(meta: Metafile, name: string): number {
  let n = 0;
  for (const out of Object.values(meta.outputs))
    for (const [path, i] of Object.entries(out.inputs))
      if (path.includes(`node_modules/${name}/`)) n += i.bytesInOutput;
  return n;
}

async function bundle(dir: string, name: string, source: string, viemExternal = false) {
  const entry = join(dir, `${name}.mjs`);
  writeFileSync(entry, source);
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    treeShaking: true,
    write: false,
    metafile: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    logLevel: "silent",
    alias: {
      dealproof: join(sdk, "dist", "index.js"),
      "dealproof/viem": join(sdk, "dist", "viem", "index.js"),
    },
    nodePaths: [join(root, "node_modules")],
    // the SDK's own share: what the dapp ships beyond the viem it has anyway
    ...(viemExternal ? { external: ["viem", "viem/*"] } : {}),
  });
  const js = r.outputFiles[0]!.contents;
  const kb = (n: number) => Math.round((n / 1024) * 10) / 10;
  return {
    kbGzip: kb(gzipSync(js).length),
    kbMinified: kb(js.length),
    ethersKbMinified: kb(fromPackage(r.metafile, "ethers")),
    zodKbMinified: kb(fromPackage(r.metafile, "zod")),
    viemKbMinified: kb(fromPackage(r.metafile, "viem")),
  };
}

execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", join(sdk, "tsconfig.json")], {
  stdio: "inherit",
});
execFileSync(process.execPath, [join(sdk, "build-cjs.mjs")], { stdio: "inherit" });
const dir = mkdtempSync(join(tmpdir(), "dealproof-bench-sdk-"));
try {
  const viem = await bundle(dir, "viem-entry", VIEM_FLOW);
  const ethers = await bundle(dir, "ethers-entry", ETHERS_ENTRY_FLOW);
  const viemShare = await bundle(dir, "viem-entry", VIEM_FLOW, true);
  const ethersShare = await bundle(dir, "ethers-entry", ETHERS_ENTRY_FLOW, true);
  const r = {
    viemEntrySdkKbGzip: viemShare.kbGzip,
    ethersEntrySdkKbGzip: ethersShare.kbGzip,
    viemEntryKbGzip: viem.kbGzip,
    viemEntryKbMinified: viem.kbMinified,
    viemEntryEthersKb: viem.ethersKbMinified,
    viemEntryZodKb: viem.zodKbMinified,
    ethersEntryKbGzip: ethers.kbGzip,
    ethersEntryKbMinified: ethers.kbMinified,
    ethersEntryEthersKb: ethers.ethersKbMinified,
    ethersEntryZodKb: ethers.zodKbMinified,
    viemKbMinified: viem.viemKbMinified,
  };
  if (args.json) console.log(JSON.stringify(r));
  else {
    console.log(
      "buyer flow (createDeal + sealing + watchDeal + getDealStatus), esbuild --minify, tree-shaken",
    );
    console.log("entry              gzip KB   minified KB   of which ethers   zod");
    const row = (n: string, x: typeof viem) =>
      console.log(
        `${n.padEnd(18)} ${String(x.kbGzip).padStart(7)}   ${String(x.kbMinified).padStart(11)}   ${String(x.ethersKbMinified).padStart(14)}   ${x.zodKbMinified}`,
      );
    row("dealproof/viem", viem);
    row("dealproof (ethers)", ethers);
    console.log(`(viem itself: ${r.viemKbMinified} KB minified in the viem-entry bundle)`);
    console.log(
      `the SDK's share (viem left out): dealproof/viem ${r.viemEntrySdkKbGzip} KB gzip, ` +
        `dealproof (ethers) ${r.ethersEntrySdkKbGzip} KB gzip`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
