/**
 * Gas used by each DealProof operation (`npm run bench:gas`, `-- --json` for one JSON object).
 * Benchmark, not test: it prints figures and the targets next to them; it asserts nothing.
 *
 * - lifecycleSignature: createDeal + acceptDeal + settleWithSignature + two withdraws, for a
 *   buyer's first deal (cold storage everywhere) — `lifecycleSignatureSteady` for a later deal.
 * - publishListing, createDealFromListing, lifecycleFromListing: a posted listing sealed to the
 *   registered key, then createDealFromListing + settleWithSignature + two withdraws (the seller's
 *   input is paid once per listing, in publishListing).
 * - `...Realistic`: the same operations with the demo's real sealed inputs (scripts/lib/demo-inputs.ts:
 *   the seller's with its DKIM-signed .eml, the buyer's with its checks) instead of 200 bytes.
 * - settleWithQuoteOverhead: DealProof's own execution in settleWithQuote, i.e. the
 *   transaction's gas less its intrinsic cost (21000 + calldata) and less the verifier's own
 *   execution (measured by calling the same verifier directly), using a verifier that returns
 *   a canned output (its input) so no verifier logic is counted.
 */
import hre from "hardhat";
import { at } from "../lib/at.ts";
import { p256 } from "@noble/curves/p256";
import { getBytes, hexlify, type TransactionReceipt, type TransactionResponse } from "ethers";
import { buildQuote, buildTd10Body, p256PublicKeyXY } from "../../oracle/simulator/quote.ts";
import { buildVerifierOutput } from "../../oracle/simulator/dcap-output.ts";
import { pkiFromKeys } from "../../oracle/simulator/pki.ts";
import { measurementId } from "../../sdk/src/measurement.ts";
import { generateX25519KeyPair } from "../../sdk/src/hpke.ts";
import { sealBuyerInput, sealListingSellerInput, sealSellerInput } from "../../sdk/src/inputs.ts";
import { demoInputs } from "../lib/demo-inputs.ts";
import {
  dealProofDomain,
  reportDataFor,
  settlementDigest,
  registrationDigest,
  type Settlement,
  type Hex,
} from "../../sdk/src/eip712.ts";

const json = process.argv.includes("--json");
await hre.tasks.getTask("build").run({ quiet: true });
const { ethers, networkHelpers } = await hre.network.create();
const signers = await ethers.getSigners();
const [owner, buyer, seller, anyone] = [0, 1, 2, 3].map((i) => at(signers, i, "account")) as [
  (typeof signers)[number],
  (typeof signers)[number],
  (typeof signers)[number],
  (typeof signers)[number],
];

const regs = {
  mrTd: new Uint8Array(48).fill(1),
  rtMr0: new Uint8Array(48).fill(2),
  rtMr1: new Uint8Array(48).fill(3),
  rtMr2: new Uint8Array(48).fill(4),
  rtMr3: new Uint8Array(48).fill(5),
  mrConfigId: new Uint8Array(48),
  tdAttributes: Uint8Array.from([0, 0, 0, 0x10, 0, 0, 0, 0]),
  xfam: Uint8Array.from([0xe7, 0x02, 0x06, 0, 0, 0, 0, 0]),
};
const mid = measurementId(regs);
const keys = {
  attestationPrivateKey: p256.utils.randomPrivateKey(),
  pckPrivateKey: p256.utils.randomPrivateKey(),
};
const oracle = ethers.Wallet.createRandom();
/** A dstack-style instance id (20 bytes, left-aligned in bytes32) the bench registers under. */
const instanceId = `0x${"1d".repeat(20)}${"00".repeat(12)}`;
// quotes carry a PCK certificate chain and QE report as the simulator's (and real ones) do
const pki = pkiFromKeys({
  rootCa: p256.utils.randomPrivateKey(),
  platformCa: p256.utils.randomPrivateKey(),
  tcbSigning: p256.utils.randomPrivateKey(),
  pck: keys.pckPrivateKey,
});

/** EIP-7623's minimum for a transaction: 21000 + 10 per calldata token (zero byte 1, other 4). */
function calldataFloor(data: string): number {
  let tokens = 0;
  for (const x of getBytes(data)) tokens += x === 0 ? 1 : 4;
  return 21000 + 10 * tokens;
}

function intrinsic(data: string): number {
  const b = getBytes(data);
  let g = 21000;
  for (const x of b) g += x === 0 ? 4 : 16;
  return g;
}
async function gas(
  tx: Promise<TransactionResponse>,
): Promise<{ used: number; receipt: TransactionReceipt; data: string }> {
  const sent = await tx;
  const receipt = (await sent.wait())!;
  return { used: Number(receipt.gasUsed), receipt, data: sent.data };
}

async function setup(verifierName: "SimulatedDcapVerifier" | "EchoDcapVerifier") {
  let verifier;
  if (verifierName === "SimulatedDcapVerifier") {
    verifier = await ethers.deployContract(verifierName, [owner.address, false]);
    const xy = p256PublicKeyXY(keys.attestationPrivateKey);
    await verifier.setAttestationKey(xy.slice(0, 32), xy.slice(32), true);
  } else verifier = await ethers.deployContract(verifierName);
  const dp = await ethers.deployContract("DealProof", [
    owner.address,
    await verifier.getAddress(),
    30 * 86400,
    3600,
    0,
    [mid],
  ]);
  const domain = dealProofDomain((await ethers.provider.getNetwork()).chainId, await dp.getAddress());
  return { verifier, dp, domain };
}

const quoteFor = (rd: Uint8Array) =>
  buildQuote({
    body: { ...regs, reportData: rd },
    keys,
    pckCertChainPem: pki.pckChainPem,
    qeReport: { ...pki.qe, cpuSvn: pki.tcb.cpuSvn },
  });
const echoOutputFor = (rd: Uint8Array) => buildVerifierOutput(buildTd10Body({ ...regs, reportData: rd }));
/** What a deal's parties seal: 200 bytes each, or the demo's real inputs sealed by the SDK. */
interface Sealer {
  buyer(dealId: bigint): Promise<string>;
  seller(dealId: bigint): Promise<string>;
  listingSeller(listingId: bigint): Promise<string>;
}
const fixed = hexlify(new Uint8Array(200).fill(0xab)); // the old stand-in for a sealed input
const small: Sealer = {
  buyer: async () => fixed,
  seller: async () => fixed,
  listingSeller: async () => fixed,
};
/** The oracle's X25519 key the bench registers, so the realistic inputs are sealed to a real key. */
const oracleKey = await generateX25519KeyPair();
const demo = await demoInputs();
function realistic(chainId: bigint, contract: string): Sealer {
  const ctx = { chainId, contract };
  return {
    buyer: async (dealId) =>
      hexlify(await sealBuyerInput(oracleKey.publicKey, { ...ctx, dealId }, demo.buyer)),
    seller: async (dealId) =>
      hexlify(await sealSellerInput(oracleKey.publicKey, { ...ctx, dealId }, demo.seller)),
    listingSeller: async (listingId) =>
      hexlify(await sealListingSellerInput(oracleKey.publicKey, { ...ctx, listingId }, demo.seller)),
  };
}

async function deal(dp: Awaited<ReturnType<typeof setup>>["dp"], sealer: Sealer = small) {
  const deadline = (await networkHelpers.time.latest()) + 86400;
  const root = hexlify(new Uint8Array(32).fill(9)) as Hex;
  const id: bigint = await dp.dealIdFor(buyer.address, seller.address, root, deadline);
  const create = await gas(
    dp
      .connect(buyer)
      .createDeal(seller.address, root, deadline, await sealer.buyer(id), { value: 10n ** 18n }),
  );
  const accept = await gas(dp.connect(seller).acceptDeal(id, await sealer.seller(id)));
  const s: Settlement = {
    dealId: id,
    agreed: true,
    price: 7n * 10n ** 17n,
    termsHash: hexlify(new Uint8Array(32).fill(1)) as Hex,
    dataRoot: root,
    transcriptHash: hexlify(new Uint8Array(32).fill(2)) as Hex,
    delivery: hexlify(new Uint8Array(112).fill(3)) as Hex, // HPKE enc (32) + sealed key payload
  };
  return { id, create, accept, s, deadline };
}

type DealProofBench = Awaited<ReturnType<typeof setup>>["dp"];

/** Publishes a posted-price listing of the root filled with `fill`, its seller input sealed by `sealer`. */
async function publishPosted(dp: DealProofBench, encKey: string, sealer: Sealer, fill: number) {
  const root = hexlify(new Uint8Array(32).fill(fill)) as Hex;
  const terms = {
    mode: 1,
    postedPrice: 7n * 10n ** 17n,
    expiresAt: 0,
    chunkSize: 1 << 20,
    chunkCount: 1,
    byteSize: 1000,
    encryptionKey: encKey,
    metadataURI: "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
  };
  const listingId: bigint = await dp.listingIdFor(seller.address, root);
  const publish = await gas(
    dp.connect(seller).publishListing(root, terms, await sealer.listingSeller(listingId)),
  );
  return { root, price: terms.postedPrice, listingId, publish };
}

/** The buyer creates a deal from the listing (deadline a day + `later` s away) and it settles by signature. */
async function buyAndSettle(
  dp: DealProofBench,
  domain: ReturnType<typeof dealProofDomain>,
  sealer: Sealer,
  l: Awaited<ReturnType<typeof publishPosted>>,
  later = 0,
) {
  const deadline = (await networkHelpers.time.latest()) + 86400 + later;
  const id: bigint = await dp.dealIdFor(buyer.address, seller.address, l.root, deadline);
  const create = await gas(
    dp
      .connect(buyer)
      .createDealFromListing(l.listingId, 1, deadline, await sealer.buyer(id), { value: 10n ** 18n }),
  );
  const s: Settlement = {
    dealId: id,
    agreed: true,
    price: l.price,
    termsHash: hexlify(new Uint8Array(32).fill(1)) as Hex,
    dataRoot: l.root,
    transcriptHash: hexlify(new Uint8Array(32).fill(2)) as Hex,
    delivery: hexlify(new Uint8Array(112).fill(3)) as Hex,
  };
  const settle = await gas(
    dp.connect(anyone).settleWithSignature(s, oracle.signingKey.sign(settlementDigest(domain, s)).serialized),
  );
  return { id, create, settle };
}

/** A listing published once, bought, settled by signature, both withdraw (the seller's input paid once). */
async function listingLifecycle(
  dp: DealProofBench,
  domain: ReturnType<typeof dealProofDomain>,
  encKey: string,
  sealer: Sealer,
  fill: number,
) {
  const l = await publishPosted(dp, encKey, sealer, fill);
  const { id, create, settle } = await buyAndSettle(dp, domain, sealer, l);
  const w1 = await gas(dp.connect(seller).withdraw(id));
  const w2 = await gas(dp.connect(buyer).withdraw(id));
  return {
    publish: l.publish.used,
    create: create.used,
    lifecycle: create.used + settle.used + w1.used + w2.used,
  };
}

/**
 * A listing sold three times (to one buyer, three deadlines): each deal created from the listing
 * and settled by signature, each buyer's change withdrawn, and the seller's three payouts collected
 * in one withdrawMany. Returns the withdrawMany and the whole, per deal.
 */
async function soldThrice(
  dp: DealProofBench,
  domain: ReturnType<typeof dealProofDomain>,
  encKey: string,
  sealer: Sealer,
  fill: number,
) {
  const l = await publishPosted(dp, encKey, sealer, fill);
  const ids: bigint[] = [];
  let total = 0;
  for (let i = 0; i < 3; i++) {
    const { id, create, settle } = await buyAndSettle(dp, domain, sealer, l, i);
    const w = await gas(dp.connect(buyer).withdraw(id));
    total += create.used + settle.used + w.used;
    ids.push(id);
  }
  const many = await gas(dp.connect(seller).withdrawMany(ids, seller.address));
  return { withdrawMany: many.used, perDeal: Math.round((total + many.used) / 3) };
}

const figures: Record<string, number> = {};

// Signature path with the simulated verifier deployment (registration by real quote).
{
  const { dp, domain } = await setup("SimulatedDcapVerifier");
  const encKey = hexlify(oracleKey.publicKey);
  const issuedAt = await networkHelpers.time.latest();
  const reg = await gas(
    dp
      .connect(anyone)
      .registerOracle(
        oracle.address,
        encKey,
        instanceId,
        issuedAt,
        quoteFor(reportDataFor(registrationDigest(domain, oracle.address, encKey, instanceId, issuedAt))),
      ),
  );
  figures.registerOracle = reg.used;
  for (const round of ["first", "steady"] as const) {
    const d = await deal(dp);
    const settle = await gas(
      dp
        .connect(anyone)
        .settleWithSignature(d.s, oracle.signingKey.sign(settlementDigest(domain, d.s)).serialized),
    );
    const w1 = await gas(dp.connect(seller).withdraw(d.id));
    const w2 = await gas(dp.connect(buyer).withdraw(d.id));
    const total = d.create.used + d.accept.used + settle.used + w1.used + w2.used;
    if (round === "first") {
      Object.assign(figures, {
        createDeal: d.create.used,
        acceptDeal: d.accept.used,
        settleWithSignature: settle.used,
        withdraw: w1.used,
        lifecycleSignature: total,
      });
    } else {
      Object.assign(figures, { createDealSteady: d.create.used, lifecycleSignatureSteady: total });
    }
  }
  const real = realistic((await ethers.provider.getNetwork()).chainId, await dp.getAddress());
  {
    // a buyer's later deal with the demo's inputs: the realistic counterpart of the steady figures
    const d = await deal(dp, real);
    const settle = await gas(
      dp
        .connect(anyone)
        .settleWithSignature(d.s, oracle.signingKey.sign(settlementDigest(domain, d.s)).serialized),
    );
    const w1 = await gas(dp.connect(seller).withdraw(d.id));
    const w2 = await gas(dp.connect(buyer).withdraw(d.id));
    Object.assign(figures, {
      createDealRealistic: d.create.used,
      acceptDealRealistic: d.accept.used,
      lifecycleSignatureRealistic: d.create.used + d.accept.used + settle.used + w1.used + w2.used,
    });
  }
  for (const [suffix, sealer, fill] of [
    ["", small, 8],
    ["Realistic", real, 7],
  ] as const) {
    const l = await listingLifecycle(dp, domain, encKey, sealer, fill);
    Object.assign(figures, {
      [`publishListing${suffix}`]: l.publish,
      [`createDealFromListing${suffix}`]: l.create,
      [`lifecycleFromListing${suffix}`]: l.lifecycle,
    });
  }
  {
    // the seller of a listing collects its sales in one withdrawMany (here three)
    const t = await soldThrice(dp, domain, encKey, real, 6);
    figures.withdrawManyThree = t.withdrawMany;
    figures.lifecycleFromListingRealisticSoldThricePerDeal = t.perDeal;
  }
  // settleWithQuote through the simulated verifier (real P-256 check)
  const d = await deal(dp);
  const q = quoteFor(reportDataFor(settlementDigest(domain, d.s)));
  const settleQ = await gas(dp.connect(anyone).settleWithQuote(d.s, q));
  figures.settleWithQuoteSimulated = settleQ.used;
  figures.quoteBytes = getBytes(q).length;
  // a 4 KB quote is mostly non-zero bytes: since Prague (EIP-7623) such a transaction pays the
  // calldata floor, 10 gas per token (a non-zero byte is 4 tokens), when that exceeds the rest
  figures.settleWithQuoteSimulatedCalldataFloor = calldataFloor(settleQ.data);
  // refund
  const r = await deal(dp);
  await networkHelpers.time.increaseTo(r.deadline + 1);
  figures.refund = (await gas(dp.connect(anyone).refund(r.id))).used;
}

// DealProof alone: a verifier that returns a canned output.
{
  const { dp, domain, verifier } = await setup("EchoDcapVerifier");
  const d = await deal(dp);
  const out = echoOutputFor(reportDataFor(settlementDigest(domain, d.s)));
  const settle = await gas(dp.connect(anyone).settleWithQuote(d.s, out));
  const direct = await gas(verifier.verifyAndAttestOnChain(out));
  const verifierExec = direct.used - intrinsic(direct.data);
  figures.settleWithQuoteCanned = settle.used;
  figures.settleWithQuoteOverhead = settle.used - intrinsic(settle.data) - verifierExec;
  // registerOracle alone: freshness and replay checks, policy, four fresh registration slots
  const encKey = hexlify(new Uint8Array(32).fill(0xee));
  const issuedAt = await networkHelpers.time.latest();
  const regOut = echoOutputFor(
    reportDataFor(registrationDigest(domain, oracle.address, encKey, instanceId, issuedAt)),
  );
  const reg = await gas(
    dp.connect(anyone).registerOracle(oracle.address, encKey, instanceId, issuedAt, regOut),
  );
  const regDirect = await gas(verifier.verifyAndAttestOnChain(regOut));
  figures.registerOracleOverhead =
    reg.used - intrinsic(reg.data) - (regDirect.used - intrinsic(regDirect.data));
}

const targets: Record<string, number> = {
  lifecycleSignature: 250_000,
  lifecycleFromListing: 200_000,
  lifecycleSignatureRealistic: 250_000,
  lifecycleFromListingRealistic: 200_000,
  settleWithQuoteOverhead: 60_000,
};
if (json) {
  console.log(JSON.stringify(figures));
} else {
  const rows = Object.entries(figures).map(([k, v]) => {
    const t = targets[k];
    return `${k.padEnd(40)} ${String(v).padStart(10)}${t ? `   target < ${t}  ${v < t ? "OK" : "OVER"}` : ""}`;
  });
  console.log([`${"operation".padEnd(40)}   gas used`, ...rows].join("\n"));
}
