/** Shared set-up for the contract tests: deployments, outcomes, verifier outputs, quotes. */
import { network } from "hardhat";
import { at } from "../../scripts/lib/at.ts";
import { hexlify, randomBytes, type Signer } from "ethers";
import { buildTd10Body } from "../../oracle/quote/build.ts";
import { buildVerifierOutput } from "../../oracle/quote/output.ts";
import { measurementId } from "../../sdk/src/measurement.ts";
import {
  dealProofDomain,
  reportDataFor,
  settlementDigest as settlementDigestTs,
  type Settlement,
  type Hex,
} from "../../sdk/src/eip712.ts";

export const TTL = 7 * 24 * 3600;
export const ESCROW = 10n ** 18n;

/** A simulated image's five measurement registers. */
export function imageRegisters(tag = 1) {
  const reg = (i: number) => new Uint8Array(48).fill(tag * 16 + i);
  return { mrTd: reg(1), rtMr0: reg(2), rtMr1: reg(3), rtMr2: reg(4), rtMr3: reg(5) };
}

/** Automata v1.1 output for a TD10 body carrying `reportData` and the image's registers. */
export function outputFor(
  reportData: Uint8Array,
  opts: { tag?: number; tcbStatus?: number; version?: number; bodyType?: number } = {},
): Hex {
  const body = buildTd10Body({ ...imageRegisters(opts.tag ?? 1), reportData });
  return hexlify(
    buildVerifierOutput(body, { tcbStatus: opts.tcbStatus, version: opts.version, bodyType: opts.bodyType }),
  ) as Hex;
}

export const MEASUREMENT = measurementId(imageRegisters(1));

export async function deployFixture() {
  const connection = await network.create();
  const { ethers, networkHelpers } = connection;
  const signers = await ethers.getSigners();
  const [owner, buyer, seller, stranger, oracleSender] = [0, 1, 2, 3, 4].map((i) =>
    at(signers, i, "signer"),
  ) as [
    (typeof signers)[number],
    (typeof signers)[number],
    (typeof signers)[number],
    (typeof signers)[number],
    (typeof signers)[number],
  ];
  const mock = await ethers.deployContract("MockDcapVerifier");
  const dealProof = await ethers.deployContract("DealProof", [owner.address, await mock.getAddress(), TTL]);
  await dealProof.setMeasurementAllowed(MEASUREMENT, true);
  const address = (await dealProof.getAddress()) as Hex;
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const domain = dealProofDomain(chainId, address);
  const oracle = ethers.Wallet.createRandom();
  return {
    connection,
    ethers,
    networkHelpers,
    owner,
    buyer,
    seller,
    stranger,
    oracleSender,
    mock,
    dealProof,
    address,
    chainId,
    domain,
    oracle,
  };
}

export type Fixture = Awaited<ReturnType<typeof deployFixture>>;

export const dataRoot = (n = 1): Hex => hexlify(new Uint8Array(32).fill(n)) as Hex;

/** Creates a deal (and accepts it unless told not to); returns its id and deadline. */
export async function openDeal(
  f: Fixture,
  opts: {
    accept?: boolean;
    escrow?: bigint;
    duration?: number;
    buyer?: Signer;
    seller?: Signer;
    root?: Hex;
  } = {},
) {
  const buyer = opts.buyer ?? f.buyer;
  const seller = opts.seller ?? f.seller;
  const now = await f.networkHelpers.time.latest();
  const deadline = now + (opts.duration ?? 3600);
  const sellerAddr = await seller.getAddress();
  const root = opts.root ?? dataRoot();
  const dealId: bigint = await f.dealProof.dealIdFor(await buyer.getAddress(), sellerAddr, root, deadline);
  await f.dealProof.connect(buyer).createDeal(sellerAddr, root, deadline, "0xaa55", {
    value: opts.escrow ?? ESCROW,
  });
  if (opts.accept ?? true) await f.dealProof.connect(seller).acceptDeal(dealId, "0xbb66");
  return { dealId, deadline };
}

export function outcome(dealId: bigint, over: Partial<Settlement> = {}): Settlement {
  return {
    dealId,
    agreed: true,
    price: 6n * 10n ** 17n,
    termsHash: hexlify(randomBytes(32)) as Hex,
    dataRoot: dataRoot(),
    transcriptHash: hexlify(randomBytes(32)) as Hex,
    delivery: "0x1234",
    ...over,
  };
}

/** Registers `f.oracle` through the mock verifier. */
export async function registerOracle(f: Fixture, encryptionKey: Hex = hexlify(randomBytes(32)) as Hex) {
  const digest: string = await f.dealProof.registrationDigest(f.oracle.address, encryptionKey);
  await f.mock.setResult(true, outputFor(reportDataFor(digest)));
  await f.dealProof.registerOracle(f.oracle.address, encryptionKey, "0x01");
  return encryptionKey;
}

/** Sets the mock verifier to attest `s` (report_data = its digest ‖ zeros). */
export async function attest(f: Fixture, s: Settlement, opts: Parameters<typeof outputFor>[1] = {}) {
  const digest: string = await f.dealProof.settlementDigest(s);
  await f.mock.setResult(true, outputFor(reportDataFor(digest), opts));
  return digest;
}

export function sign(f: Fixture, s: Settlement, domain = f.domain): Hex {
  // the shared TS encoding (sdk/src/eip712.ts), proven equal to the contract's in digest.test.ts
  return f.oracle.signingKey.sign(settlementDigestTs(domain, s)).serialized as Hex;
}
