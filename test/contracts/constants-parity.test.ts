/**
 * Every constant that exists both in Solidity and in TypeScript is equal on both sides, read from
 * the compiled contracts: DealProof's `public constant`s from a deployed DealProof, its EIP-712
 * domain through `eip712Domain()` (EIP-5267), its private typehashes from its deployed code, the
 * library constants (TD attributes masks, verifier-output layout) through a test harness, its enums
 * from the compiler's AST, and the local chain ids from the contracts' own behaviour.
 * Invariant: each TypeScript value compared here is the one definition the code uses (imported,
 * never restated); a new public constant on DealProof fails the first test until it is classified.
 */
import { expect } from "chai";
import hre, { network } from "hardhat";
import { readFileSync } from "node:fs";
import { TypedDataEncoder, keccak256, toUtf8Bytes, type Contract } from "ethers";
import { DEAL_PROOF_ABI } from "../../sdk/src/abi.ts";
import { MAX_METADATA_URI_BYTES, MAX_SEALED_BYTES } from "../../sdk/src/limits.ts";
import { TCB_STATUS } from "../../sdk/src/tcb-status.ts";
import { CHANGE_KIND, DEAL_STATE, MAX_DEAL_DURATION } from "../../sdk/src/deal-state.ts";
import { LISTING_STATUS, PRICING_MODE } from "../../sdk/src/listing-state.ts";
import { TD_ATTRIBUTES_MUST_BE_CLEAR, TD_ATTRIBUTES_MUST_BE_SET } from "../../sdk/src/td-attributes.ts";
import {
  EIP712_NAME,
  EIP712_VERSION,
  ORACLE_REGISTRATION_TYPES,
  SETTLEMENT_TYPES,
  dealProofDomain,
} from "../../sdk/src/eip712.ts";
import {
  BODY_TYPE_TD10,
  OUTPUT,
  OUTPUT_MIN_LEN,
  QUOTE_VERSION,
  TD10,
  TD10_BODY_LEN,
} from "../../oracle/quote/layout.ts";
import { LOCAL_CHAIN_IDS } from "../../tasks/lib/deploy.ts";

/** DealProof's public constants that TypeScript also defines: name → the TypeScript value. */
const SHARED: Record<string, bigint> = {
  MAX_SEALED_INPUT_BYTES: BigInt(MAX_SEALED_BYTES),
  MAX_METADATA_URI_BYTES: BigInt(MAX_METADATA_URI_BYTES),
  MAX_DEAL_DURATION: BigInt(MAX_DEAL_DURATION),
  MAX_TCB_STATUS: BigInt(TCB_STATUS.length - 1),
  QUOTE_VERSION: BigInt(QUOTE_VERSION),
  TD10_BODY_TYPE: BigInt(BODY_TYPE_TD10),
};

/**
 * DealProof's public constants and immutables with no TypeScript copy: code that needs one reads
 * it from the contract (they are getters), so there is nothing to drift.
 */
const SOLIDITY_ONLY = [
  "CANCEL_NOTICE",
  "CANCEL_WINDOW",
  "CHANGE_DELAY",
  "GRACE_PERIOD",
  "MAX_CHANGE_DELAY",
  "MAX_FRESHNESS_WINDOW",
  "MAX_PENDING_CHANGES",
  "MAX_REGISTRATION_TTL",
  "MIN_FRESHNESS_WINDOW",
  "MIN_PUBLIC_CHANGE_DELAY",
  "MIN_REGISTRATION_TTL",
];

const typeHash = (types: Record<string, readonly { name: string; type: string }[]>, primary: string) =>
  keccak256(
    toUtf8Bytes(
      TypedDataEncoder.from(
        Object.fromEntries(Object.entries(types).map(([k, v]) => [k, [...v]])),
      ).encodeType(primary),
    ),
  );

describe("Solidity and TypeScript constants are equal", () => {
  let dealProof: Contract;
  let verifier: Contract;
  let chainId: bigint;

  before(async () => {
    const { ethers } = await network.create();
    const [owner] = await ethers.getSigners();
    verifier = (await ethers.deployContract("SimulatedDcapVerifier", [
      owner!.address,
      false,
    ])) as unknown as Contract;
    dealProof = (await ethers.deployContract("DealProof", [
      owner!.address,
      await verifier.getAddress(),
      7 * 24 * 3600,
      3600,
      0,
      [],
    ])) as unknown as Contract;
    chainId = (await ethers.provider.getNetwork()).chainId;
  });

  it("every public constant of DealProof is either compared here or has no TypeScript copy", () => {
    const getters = DEAL_PROOF_ABI.filter(
      (e) => e.type === "function" && e.inputs.length === 0 && /^[A-Z][A-Z0-9_]*$/.test(e.name),
    ).map((e) => (e as { name: string }).name);
    expect([...getters].sort()).to.deep.equal([...Object.keys(SHARED), ...SOLIDITY_ONLY].sort());
  });

  for (const [name, ts] of Object.entries(SHARED)) {
    it(`DealProof.${name} = ${ts}`, async () => {
      expect(await dealProof.getFunction(name).staticCall()).to.equal(ts);
    });
  }

  it("the EIP-712 domain (name, version, chain, contract) is the SDK's", async () => {
    const [, name, version, onChainId, verifyingContract] = await dealProof.getFunction("eip712Domain")();
    expect([name, version]).to.deep.equal([EIP712_NAME, EIP712_VERSION]);
    const domain = dealProofDomain(onChainId as bigint, verifyingContract as string);
    expect([domain.chainId, domain.verifyingContract]).to.deep.equal([chainId, await dealProof.getAddress()]);
  });

  it("the Settlement and OracleRegistration typehashes in DealProof's code are the SDK's types", async () => {
    const code = await dealProof.runner!.provider!.getCode(await dealProof.getAddress());
    for (const hash of [
      typeHash(SETTLEMENT_TYPES, "Settlement"),
      typeHash(ORACLE_REGISTRATION_TYPES, "OracleRegistration"),
    ]) {
      expect(code.includes(hash.slice(2)), `typehash ${hash} in DealProof's code`).to.equal(true);
    }
  });

  it("the TD attributes masks are TdPolicy's", async () => {
    const { ethers } = await network.create();
    const harness = await ethers.deployContract("ProtocolConstantsHarness");
    expect(await harness.tdPolicy()).to.deep.equal([TD_ATTRIBUTES_MUST_BE_CLEAR, TD_ATTRIBUTES_MUST_BE_SET]);
  });

  it("the verifier-output and TD10 body layout is DcapOutput's", async () => {
    const { ethers } = await network.create();
    const harness = await ethers.deployContract("ProtocolConstantsHarness");
    const layout = (await harness.outputLayout()) as unknown as Record<string, bigint>;
    const ts: Record<string, number> = {
      body: OUTPUT.body,
      minLength: OUTPUT_MIN_LEN,
      fmspc: OUTPUT.fmspc,
      tdAttributes: TD10.tdAttributes[0],
      xfam: TD10.xfam[0],
      mrTd: TD10.mrTd[0],
      mrConfigId: TD10.mrConfigId[0],
      rtMr0: TD10.rtMr0[0],
      rtMr1: TD10.rtMr1[0],
      rtMr2: TD10.rtMr2[0],
      rtMr3: TD10.rtMr3[0],
      reportData: TD10.reportData[0],
    };
    for (const [name, value] of Object.entries(ts)) expect(layout[name], name).to.equal(BigInt(value));
    expect(OUTPUT_MIN_LEN - OUTPUT.body, "a TD10 body fills the output up to the advisories").to.equal(
      TD10_BODY_LEN,
    );
  });

  it("DealState, ChangeKind, PricingMode and ListingStatus are named in the contract's order", async () => {
    const id = await hre.artifacts.getBuildInfoId("DealProof");
    const path = await hre.artifacts.getBuildInfoOutputPath(id!);
    const { output } = JSON.parse(readFileSync(path!, "utf8")) as {
      output: { sources: Record<string, { ast: unknown }> };
    };
    const enums: Record<string, string[]> = {};
    const walk = (n: unknown): void => {
      if (n === null || typeof n !== "object") return;
      const node = n as { nodeType?: string; name?: string; members?: { name: string }[] };
      if (node.nodeType === "EnumDefinition") enums[node.name!] = node.members!.map((m) => m.name);
      Object.values(n).forEach(walk);
    };
    // each enum lives in the interface of the part it belongs to
    walk(output.sources["project/contracts/interfaces/IDealEscrow.sol"]!.ast);
    walk(output.sources["project/contracts/interfaces/ITrustPolicy.sol"]!.ast);
    walk(output.sources["project/contracts/interfaces/IListingRegistry.sol"]!.ast);
    expect(enums).to.deep.equal({
      DealState: [...DEAL_STATE],
      ChangeKind: [...CHANGE_KIND],
      PricingMode: [...PRICING_MODE],
      ListingStatus: [...LISTING_STATUS],
    });
  });

  it("the local chain ids are the ones the contracts treat as local", async () => {
    for (const id of LOCAL_CHAIN_IDS) {
      expect(await verifier.getFunction("isLocalChain")(id), `chain ${id}`).to.equal(true);
      expect(await verifier.getFunction("isLocalChain")(id + 1), `chain ${id + 1}`).to.equal(false);
    }
    // DealProof's own rule: a change delay of 0 is accepted on a local chain id only.
    for (const id of [...LOCAL_CHAIN_IDS, 11155111]) {
      const { ethers } = await network.create({ override: { chainId: id } });
      const [owner] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("DealProof");
      const deploy = factory.deploy(owner!.address, owner!.address, 3600, 3600, 0, []);
      if (LOCAL_CHAIN_IDS.has(id)) await deploy;
      else await expect(deploy).to.be.revertedWithCustomError(factory, "InvalidChangeDelay");
    }
  });
});
