/**
 * DealProof's EIP-712 names and types as plain data (DESIGN.md §3, normative), with no encoding
 * library: eip712.ts hashes them with ethers (the `dealproof` entry, the oracle), viem/protocol.ts
 * with viem (the viem entry), so both entries hash one definition.
 */
export type Hex = `0x${string}`;

export const EIP712_NAME = "DealProof";
export const EIP712_VERSION = "1";

export interface Eip712Domain {
  name: typeof EIP712_NAME;
  version: typeof EIP712_VERSION;
  chainId: bigint;
  verifyingContract: Hex;
}

/** The outcome of a deal as the contract takes it (`DealProof.Settlement`). */
export interface Settlement {
  dealId: bigint;
  agreed: boolean;
  /** Price in wei; 0 when not agreed. */
  price: bigint;
  /** keccak256 of the RFC 8785 canonical terms JSON. */
  termsHash: Hex;
  /** The deal's Merkle dataset commitment. */
  dataRoot: Hex;
  /** keccak256 of the RFC 8785 canonical transcript JSON. */
  transcriptHash: Hex;
  /** The dataset key HPKE-sealed to the buyer; `0x` when not agreed. */
  delivery: Hex;
}

export const SETTLEMENT_TYPES = {
  Settlement: [
    { name: "dealId", type: "uint256" },
    { name: "agreed", type: "bool" },
    { name: "price", type: "uint256" },
    { name: "termsHash", type: "bytes32" },
    { name: "dataRoot", type: "bytes32" },
    { name: "transcriptHash", type: "bytes32" },
    { name: "delivery", type: "bytes" },
  ],
} as const;

export const ORACLE_REGISTRATION_TYPES = {
  OracleRegistration: [
    { name: "signer", type: "address" },
    { name: "encryptionKey", type: "bytes32" },
    { name: "instanceId", type: "bytes32" },
    { name: "issuedAt", type: "uint64" },
  ],
} as const;
