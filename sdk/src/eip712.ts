/**
 * The byte-level protocol shared by the contract, the oracle and dapps (DESIGN.md §3, normative).
 * One place encodes the EIP-712 domain and types; everything else calls these functions.
 */
import { DealProofError } from "./errors.ts";
import { AbiCoder, TypedDataEncoder, concat, getBytes, isHexString, keccak256, zeroPadValue } from "ethers";
import {
  EIP712_NAME,
  EIP712_VERSION,
  ORACLE_REGISTRATION_TYPES,
  SETTLEMENT_TYPES,
  type Eip712Domain,
  type Hex,
  type Settlement,
} from "./eip712-types.ts";

export {
  EIP712_NAME,
  EIP712_VERSION,
  SETTLEMENT_TYPES,
  ORACLE_REGISTRATION_TYPES,
  type Hex,
  type Eip712Domain,
  type Settlement,
} from "./eip712-types.ts";
export function dealProofDomain(chainId: bigint | number, verifyingContract: string): Eip712Domain {
  return {
    name: EIP712_NAME,
    version: EIP712_VERSION,
    chainId: BigInt(chainId),
    verifyingContract: verifyingContract as Hex,
  };
}

function mutableTypes<T extends Record<string, readonly { name: string; type: string }[]>>(types: T) {
  return Object.fromEntries(Object.entries(types).map(([k, v]) => [k, v.map((f) => ({ ...f }))]));
}

/** EIP-712 digest of a `Settlement`: what report_data[0:32] holds and what the oracle signer signs. */
export function settlementDigest(domain: Eip712Domain, s: Settlement): Hex {
  return TypedDataEncoder.hash(domain, mutableTypes(SETTLEMENT_TYPES), s) as Hex;
}

/**
 * EIP-712 digest of an `OracleRegistration` (the report_data of a registration quote).
 * `instanceId` (bytes32, see instanceIdBytes32) names the TEE instance (replica) the signer
 * belongs to. `issuedAt` (Unix seconds) makes an old quote useless: the contract wants it fresh
 * and newer than the signer's last registration.
 */
export function registrationDigest(
  domain: Eip712Domain,
  signer: string,
  encryptionKey: string,
  instanceId: string,
  issuedAt: bigint | number,
): Hex {
  return TypedDataEncoder.hash(domain, mutableTypes(ORACLE_REGISTRATION_TYPES), {
    signer,
    encryptionKey,
    instanceId,
    issuedAt,
  }) as Hex;
}

/**
 * A TEE instance id (dstack's: 20 bytes of hex, with or without 0x; at most 32 bytes) as the
 * registration's bytes32: left-aligned, zero-padded on the right (Solidity's bytes20 → bytes32).
 */
export function instanceIdBytes32(instanceId: string): Hex {
  const h = instanceId.replace(/^0x/, "").toLowerCase();
  if (!/^([0-9a-f]{2}){1,32}$/.test(h))
    throw new DealProofError(
      "tee.bad_instance_id",
      `an instance id is 1 to 32 bytes of hex; got ${JSON.stringify(instanceId.slice(0, 80))}`,
      {
        hint: "use the TEE's instance id as dstack reports it (20 bytes of hex), or DEALPROOF_INSTANCE_ID in the simulator",
      },
    );
  return `0x${h.padEnd(64, "0")}` as Hex;
}

/** The 64-byte report_data the contract requires: digest ‖ 32 zero bytes. */
export function reportDataFor(digest: string): Uint8Array {
  if (!isHexString(digest, 32)) throw new Error(`a digest must be 32 bytes of hex, got ${digest}`);
  return getBytes(concat([digest, zeroPadValue("0x", 32)]));
}

/** What fixes a deal's id: the `createDeal` caller and arguments that the id commits to. */
export interface DealKey {
  buyer: string;
  seller: string;
  dataRoot: string;
  deadline: bigint | number;
}

/**
 * The id `DealProof.createDeal` gives a deal (`dealIdFor`):
 * keccak256(abi.encode(chainId, contract, buyer, seller, dataRoot, uint64 deadline)). Known
 * before the transaction is sent, so sealed inputs can bind it; it also commits to the root.
 */
export function dealIdFor(domain: Eip712Domain, key: DealKey): bigint {
  return BigInt(
    keccak256(
      AbiCoder.defaultAbiCoder().encode(
        ["uint256", "address", "address", "address", "bytes32", "uint64"],
        [domain.chainId, domain.verifyingContract, key.buyer, key.seller, key.dataRoot, key.deadline],
      ),
    ),
  );
}
