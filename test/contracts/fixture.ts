/** Shared set-up for the contract tests: deployments, outcomes, verifier outputs, quotes. */
import { network } from "hardhat";
import { at } from "../../scripts/lib/at.ts";
import { hexlify, randomBytes, type Signer } from "ethers";
import { buildTd10Body } from "../../oracle/simulator/quote.ts";
import { buildVerifierOutput } from "../../oracle/simulator/dcap-output.ts";
import { measurementId } from "../../sdk/src/measurement.ts";
import { CHANGE_KIND } from "../../sdk/src/deal-state.ts";
import {
  dealProofDomain,
  reportDataFor,
  settlementDigest as settlementDigestTs,
  type Settlement,
  type Hex,
} from "../../sdk/src/eip712.ts";

export const TTL = 7 * 24 * 3600;
/** Freshness window of registrations in the fixture (seconds). */
export const FRESHNESS = 3600;
/** IDealProof.ChangeKind values by name (the SDK's list). */
export const KIND = Object.fromEntries(CHANGE_KIND.map((name, i) => [name, i])) as Record<
  (typeof CHANGE_KIND)[number],
  number
>;
export const ESCROW = 10n ** 18n;

/** TD attributes of a production TD: SEPT_VE_DISABLE set, everything else clear (DESIGN.md §4). */
const PRODUCTION_TD_ATTRIBUTES = Uint8Array.from([0, 0, 0, 0x10, 0, 0, 0, 0]);

/** A simulated image's measured fields (registers, config id, TD attributes, xFAM). */
export function imageRegisters(tag = 1, tdAttributes: Uint8Array = PRODUCTION_TD_ATTRIBUTES) {
  const reg = (i: number) => new Uint8Array(48).fill(tag * 16 + i);
  return {
    mrTd: reg(1),
    rtMr0: reg(2),
    rtMr1: reg(3),
    rtMr2: reg(4),
    rtMr3: reg(5),
    mrConfigId: reg(6),
    tdAttributes,
    xfam: Uint8Array.from([0xe7, 0x02, 0x06, 0, 0, 0, 0, tag]),
  };
}

/** Automata v1.1 output for a TD10 body carrying `reportData` and the image's registers. */
export function outputFor(
  reportData: Uint8Array,
  opts: {
    tag?: number;
    tcbStatus?: number;
    version?: number;
    bodyType?: number;
    tdAttributes?: Uint8Array;
  } = {},
): Hex {
  const body = buildTd10Body({ ...imageRegisters(opts.tag ?? 1, opts.tdAttributes), reportData });
  return hexlify(
    buildVerifierOutput(body, { tcbStatus: opts.tcbStatus, version: opts.version, bodyType: opts.bodyType }),
  ) as Hex;
}

export const MEASUREMENT = measurementId(imageRegisters(1));

/** Deploys a fresh chain and DealProof; `changeDelay` (default 0) also sets CANCEL_NOTICE. */
export async function deployFixture(opts: { changeDelay?: number } = {}) {
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
  // change delay 0 by default: allowed on the local chain id (31337); the delay is tested apart
  const dealProof = await ethers.deployContract("DealProof", [
    owner.address,
    await mock.getAddress(),
    TTL,
    FRESHNESS,
    opts.changeDelay ?? 0,
    [MEASUREMENT],
  ]);
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

/** Registers `f.oracle` (or `signer`) through the mock verifier, issued at the latest block time. */
export async function registerOracle(
  f: Fixture,
  encryptionKey: Hex = hexlify(randomBytes(32)) as Hex,
  opts: { signer?: string; issuedAt?: number; tcbStatus?: number } = {},
) {
  const signer = opts.signer ?? f.oracle.address;
  const issuedAt = opts.issuedAt ?? (await f.networkHelpers.time.latest());
  const digest: string = await f.dealProof.registrationDigest(signer, encryptionKey, issuedAt);
  await f.mock.setResult(true, outputFor(reportDataFor(digest), { tcbStatus: opts.tcbStatus }));
  await f.dealProof.registerOracle(signer, encryptionKey, issuedAt, "0x01");
  return encryptionKey;
}

/** Owner: schedules a widening change and executes it (the fixture's delay is 0). */
export async function widen(f: Fixture, kind: number, value: string) {
  await f.dealProof.scheduleChange(kind, value);
  await f.dealProof.executeChange(await f.dealProof.changeIdFor(kind, value));
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
