/**
 * DealProof is composed of four parts (issues 22, 25): TrustPolicy, OracleRegistry, DealEscrow and
 * ListingRegistry (built on the escrow), each an abstract contract with its own interface. This
 * proves the parts hold apart (disjoint interfaces, no part exposes another's functions but
 * through the part it builds on), that IDealProof is their union plus the settlement, and that
 * every external function's NatSpec says what it requires and emits.
 */
import { expect } from "chai";
import hre from "hardhat";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** "function name", "event name", "error name"… for every entry of a compiled contract's ABI. */
function entries(path: string): Set<string> {
  const artifact = JSON.parse(
    readFileSync(join(import.meta.dirname, "../../artifacts/contracts", path), "utf8"),
  );
  return new Set(
    (artifact.abi as { type: string; name?: string }[]).map((e) => `${e.type} ${e.name ?? ""}`.trim()),
  );
}

const ITRUST = entries("interfaces/ITrustPolicy.sol/ITrustPolicy.json");
const IREGISTRY = entries("interfaces/IOracleRegistry.sol/IOracleRegistry.json");
const IESCROW = entries("interfaces/IDealEscrow.sol/IDealEscrow.json");
const ILISTINGS = entries("interfaces/IListingRegistry.sol/IListingRegistry.json");
const IDEALPROOF = entries("interfaces/IDealProof.sol/IDealProof.json");
const functions = (s: Set<string>) => [...s].filter((e) => e.startsWith("function "));
const minus = (a: Set<string>, b: Set<string>) => [...a].filter((e) => !b.has(e)).sort();

describe("DealProof's parts", () => {
  it("the four part interfaces share no function, event or error", () => {
    const parts = {
      ITrustPolicy: ITRUST,
      IOracleRegistry: IREGISTRY,
      IDealEscrow: IESCROW,
      IListingRegistry: ILISTINGS,
    };
    for (const [a, sa] of Object.entries(parts)) {
      expect(sa.size, a).to.be.greaterThan(10);
      for (const [b, sb] of Object.entries(parts)) {
        if (a !== b)
          expect(
            [...sa].filter((e) => sb.has(e)),
            `${a} ∩ ${b}`,
          ).to.deep.equal([]);
      }
    }
  });

  it("IDealProof is the union of the four plus the settlement, which spans them", () => {
    const union = new Set([...ITRUST, ...IREGISTRY, ...IESCROW, ...ILISTINGS]);
    expect(minus(union, IDEALPROOF), "a part's entry missing from IDealProof").to.deep.equal([]);
    expect(minus(IDEALPROOF, union)).to.deep.equal([
      "error InvalidSignatureLength",
      "function settleWithQuote",
      "function settleWithSignature",
      "function settlementDigest",
    ]);
  });

  it("DealProof adds to IDealProof only OpenZeppelin's entries, the parts' constants and the constructor", () => {
    const dealProof = entries("DealProof.sol/DealProof.json");
    expect(minus(IDEALPROOF, dealProof), "an interface entry DealProof lacks").to.deep.equal([]);
    const openZeppelin = [
      // Ownable2Step
      "error OwnableInvalidOwner",
      "error OwnableUnauthorizedAccount",
      "event OwnershipTransferStarted",
      "event OwnershipTransferred",
      "function acceptOwnership",
      "function owner",
      "function pendingOwner",
      "function renounceOwnership",
      "function transferOwnership",
      // EIP712 (its ShortStrings), ECDSA, ReentrancyGuardTransient
      "error InvalidShortString",
      "error StringTooLong",
      "event EIP712DomainChanged",
      "function eip712Domain",
      "error ECDSAInvalidSignature",
      "error ECDSAInvalidSignatureLength",
      "error ECDSAInvalidSignatureS",
      "error ReentrancyGuardReentrantCall",
    ];
    // DcapOutput's, reached through TrustPolicy's _verifyQuote (a library error is listed only
    // in the ABI of the deployed contract)
    const library = ["error VerifierOutputTooShort"];
    const trustPolicy = [
      "function GRACE_PERIOD",
      "function MAX_CHANGE_DELAY",
      "function MAX_FRESHNESS_WINDOW",
      "function MAX_PENDING_CHANGES",
      "function MAX_REGISTRATION_TTL",
      "function MAX_TCB_STATUS",
      "function MIN_FRESHNESS_WINDOW",
      "function MIN_PUBLIC_CHANGE_DELAY",
      "function MIN_REGISTRATION_TTL",
      "function QUOTE_VERSION",
      "function TD10_BODY_TYPE",
      "receive",
    ];
    const dealEscrow = ["function MAX_DEAL_DURATION", "function MAX_SEALED_INPUT_BYTES"];
    const listingRegistry = ["function MAX_METADATA_URI_BYTES"];
    expect(minus(dealProof, IDEALPROOF)).to.deep.equal(
      ["constructor", ...openZeppelin, ...library, ...trustPolicy, ...dealEscrow, ...listingRegistry].sort(),
    );
    const escrow = entries("DealEscrow.sol/DealEscrow.json");
    const policy = entries("TrustPolicy.sol/TrustPolicy.json");
    const listings = entries("ListingRegistry.sol/ListingRegistry.json");
    for (const c of dealEscrow) expect(escrow.has(c) && !policy.has(c), c).to.equal(true);
    for (const c of listingRegistry) expect(listings.has(c) && !escrow.has(c), c).to.equal(true);
    for (const c of trustPolicy) expect(policy.has(c), c).to.equal(true);
  });

  it("each part implements its own interface and none exposes another's functions (but the policy it builds on)", () => {
    const policy = entries("TrustPolicy.sol/TrustPolicy.json");
    const registry = entries("OracleRegistry.sol/OracleRegistry.json");
    const escrow = entries("DealEscrow.sol/DealEscrow.json");
    const listings = entries("ListingRegistry.sol/ListingRegistry.json");
    const has = (part: Set<string>, fns: string[]) => fns.filter((f) => part.has(f));
    // each implements its interface
    expect(minus(new Set(functions(ITRUST)), policy)).to.deep.equal([]);
    expect(minus(new Set(functions(IREGISTRY)), registry)).to.deep.equal([]);
    expect(minus(new Set(functions(IESCROW)), escrow)).to.deep.equal([]);
    expect(minus(new Set(functions(ILISTINGS)), listings)).to.deep.equal([]);
    // the trust policy knows neither the registry nor the escrow; these two do not know each other
    expect(has(policy, [...functions(IREGISTRY), ...functions(IESCROW)])).to.deep.equal([]);
    expect(has(registry, functions(IESCROW))).to.deep.equal([]);
    expect(has(escrow, functions(IREGISTRY))).to.deep.equal([]);
    // the listings build on the escrow (they open deals through it) but know not the registry,
    // which knows not them: whether a listing's key is live is asked through DealProof
    expect(minus(new Set(functions(IESCROW)), listings)).to.deep.equal([]);
    expect(has(listings, functions(IREGISTRY))).to.deep.equal([]);
    for (const part of [policy, registry, escrow]) expect(has(part, functions(ILISTINGS))).to.deep.equal([]);
    // no part settles: that is the composition's
    for (const part of [policy, registry, escrow, listings]) {
      expect(has(part, ["function settleWithQuote", "function settleWithSignature"])).to.deep.equal([]);
    }
  });

  it("every external function of the five interfaces has a @notice, its Requirements and what it Emits", async () => {
    const id = await hre.artifacts.getBuildInfoId("DealProof");
    const path = await hre.artifacts.getBuildInfoOutputPath(id!);
    const { output } = JSON.parse(readFileSync(path!, "utf8")) as {
      output: { sources: Record<string, { ast: unknown }> };
    };
    const missing: string[] = [];
    let seen = 0;
    const walk = (file: string, n: unknown): void => {
      if (n === null || typeof n !== "object") return;
      const node = n as { nodeType?: string; name?: string; kind?: string; documentation?: { text: string } };
      if (node.nodeType === "FunctionDefinition" && node.kind === "function") {
        seen++;
        const text = node.documentation?.text ?? "";
        for (const tag of ["@notice", "Requirements:", "Emits:"]) {
          if (!text.includes(tag)) missing.push(`${file} ${node.name}: ${tag}`);
        }
      }
      Object.values(n).forEach((c) => walk(file, c));
    };
    for (const file of ["ITrustPolicy", "IOracleRegistry", "IDealEscrow", "IListingRegistry", "IDealProof"]) {
      walk(file, output.sources[`project/contracts/interfaces/${file}.sol`]!.ast);
    }
    expect(seen).to.equal(functions(IDEALPROOF).length);
    expect(missing).to.deep.equal([]);
  });
});
