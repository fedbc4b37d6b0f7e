/** Pins the deployed DealProof's ABI surface to a committed snapshot, so that a refactor of the contract cannot change it unnoticed. */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { ABI_SURFACE_SNAPSHOT, abiSurface, dealProofArtifactAbi } from "./abi-surface.ts";

describe("DealProof's ABI surface", () => {
  it("the compiled DealProof has exactly the functions, events and errors of test/contracts/abi-surface.json", () => {
    const snapshot = JSON.parse(readFileSync(ABI_SURFACE_SNAPSHOT, "utf8")) as string[];
    // deep.equal prints the added and missing signatures when they differ
    expect(abiSurface(dealProofArtifactAbi())).to.deep.equal(snapshot);
  });

  it("the snapshot names every kind of entry with its full signature (so a change in one is seen)", () => {
    const snapshot = JSON.parse(readFileSync(ABI_SURFACE_SNAPSHOT, "utf8")) as string[];
    const count = (prefix: string) => snapshot.filter((s) => s.startsWith(prefix)).length;
    expect([count("function "), count("event "), count("error ")]).to.deep.equal([71, 24, 72]);
    expect(snapshot).to.include(
      "function settleWithSignature((uint256 dealId, bool agreed, uint256 price, bytes32 termsHash, bytes32 dataRoot, bytes32 transcriptHash, bytes delivery) outcome, bytes signature)",
    );
    expect(snapshot).to.include("function hasPendingChange() view returns (bool)");
    expect(snapshot).to.include(
      "event DealCreated(uint256 indexed dealId, address indexed buyer, address indexed seller, bytes32 dataRoot, uint256 escrow, uint64 deadline, bytes sealedBuyerInput)",
    );
    expect(snapshot).to.include("receive() payable");
    expect(snapshot).to.include(
      "event ListingDealCreated(uint256 indexed dealId, uint256 indexed listingId, address indexed buyer, uint32 version, uint256 escrow, uint64 deadline, bytes sealedBuyerInput)",
    );
  });
});
