/**
 * The protocol's bytes with viem instead of ethers (DESIGN.md §3, §6, §11), for the viem entry:
 * a deal's and a listing's id before it exists, the HPKE binding contexts of sealed inputs, and
 * the EIP-712 settlement digest. Byte for byte the same as eip712.ts / inputs.ts of the `dealproof`
 * entry (test/sdk/viem-protocol.test.ts compares them).
 */
import {
  encodeAbiParameters,
  hashTypedData,
  keccak256,
  stringToBytes,
  toBytes,
  type Address,
  type Hex,
} from "viem";
import { EIP712_NAME, EIP712_VERSION, SETTLEMENT_TYPES, type Settlement } from "../eip712-types.ts";

/** Where a deal lives: the chain and the DealProof contract. */
export interface DealProofTarget {
  chainId: bigint | number;
  contract: Address;
}

/** What fixes a deal's id: the `createDeal` caller and arguments that the id commits to. */
export interface DealKeyFields {
  buyer: Address;
  seller: Address;
  dataRoot: Hex;
  deadline: bigint | number;
}

/** `DealProof.dealIdFor`: keccak256(abi.encode(chainId, contract, buyer, seller, dataRoot, uint64 deadline)). */
export function dealIdFor(target: DealProofTarget, key: DealKeyFields): bigint {
  return BigInt(
    keccak256(
      encodeAbiParameters(
        [
          { type: "uint256" },
          { type: "address" },
          { type: "address" },
          { type: "address" },
          { type: "bytes32" },
          { type: "uint64" },
        ],
        [BigInt(target.chainId), target.contract, key.buyer, key.seller, key.dataRoot, BigInt(key.deadline)],
      ),
    ),
  );
}

/** `DealProof.listingIdFor`: keccak256(abi.encode(chainId, contract, seller, dataRoot)). */
export function listingIdFor(target: DealProofTarget, seller: Address, dataRoot: Hex): bigint {
  return BigInt(
    keccak256(
      encodeAbiParameters(
        [{ type: "uint256" }, { type: "address" }, { type: "address" }, { type: "bytes32" }],
        [BigInt(target.chainId), target.contract, seller, dataRoot],
      ),
    ),
  );
}

/** abi.encode(keccak256(tag), keccak256(role), chainId, contract, id): a sealed input's HPKE info. */
function boundContext(tag: string, role: string, target: DealProofTarget, id: bigint): Uint8Array {
  return toBytes(
    encodeAbiParameters(
      [
        { type: "bytes32" },
        { type: "bytes32" },
        { type: "uint256" },
        { type: "address" },
        { type: "uint256" },
      ],
      [
        keccak256(stringToBytes(tag)),
        keccak256(stringToBytes(role)),
        BigInt(target.chainId),
        target.contract,
        id,
      ],
    ),
  );
}

/** The HPKE info of a party's input for one deal (inputs.ts `sealInfo`). */
export const dealSealInfo = (role: "buyer" | "seller", target: DealProofTarget, dealId: bigint) =>
  boundContext("DealProof/sealed-input/v1", role, target, dealId);

/** The HPKE info of a listing's seller input (inputs.ts `listingSealInfo`). */
export const listingSealInfo = (target: DealProofTarget, listingId: bigint) =>
  boundContext("DealProof/sealed-listing-input/v1", "seller", target, listingId);

/** EIP-712 digest of a `Settlement` in DealProof's domain: what the oracle signs and its quote binds. */
export function settlementDigest(target: DealProofTarget, s: Settlement): Hex {
  return hashTypedData({
    domain: {
      name: EIP712_NAME,
      version: EIP712_VERSION,
      chainId: BigInt(target.chainId),
      verifyingContract: target.contract,
    },
    types: SETTLEMENT_TYPES,
    primaryType: "Settlement",
    message: s,
  });
}
