// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";
import {IDcapAttestation} from "../interfaces/IDcapAttestation.sol";

/// @title SimulatedDcapVerifier
/// @notice Local stand-in for Automata's DCAP verifier (DESIGN.md §5). It checks the real
/// ECDSA-P256 signature of a TDX v4 quote over bytes 0..632 with the quote's attestation key,
/// requires that key to be registered by the owner (the oracle simulator's key), and returns
/// output in the Automata v1.1 layout with TCB status UpToDate. There is no Intel certificate
/// chain here: trust comes only from the registered attestation keys. Never use it on a
/// public network; the constructor refuses every chain id but the local ones (31337, 1337)
/// unless forced.
contract SimulatedDcapVerifier is IDcapAttestation, Ownable2Step {
    uint256 private constant HEADER = 48;
    uint256 private constant SIGNED = HEADER + 584; // 632
    uint256 private constant SIG_DATA = SIGNED + 4; // 636
    uint256 private constant MIN_SIG_DATA = 128; // ECDSA signature + attestation key

    /// @notice FMSPC reported in outputs (the simulator has no PCK certificate).
    bytes6 public fmspc = 0x00906ED50000;
    /// @notice Attestation public keys (keccak256(x ‖ y)) whose quotes verify.
    mapping(bytes32 keyHash => bool) public attestationKeys;

    event AttestationKeySet(bytes32 indexed keyHash, bytes32 x, bytes32 y, bool allowed);
    event FmspcSet(bytes6 fmspc);

    /// @notice Deployment on a chain id other than 31337/1337 without `force`.
    /// @param chainId The chain id.
    error PublicChain(uint256 chainId);
    error FeeNotAccepted();

    /// @param initialOwner Who registers attestation keys.
    /// @param force Deploy even on a non-local chain id (never do this for real value).
    constructor(address initialOwner, bool force) Ownable(initialOwner) {
        if (!force && !isLocalChain(block.chainid)) revert PublicChain(block.chainid);
    }

    /// @notice Allows or removes an attestation public key.
    /// @param x The P-256 key's x coordinate.
    /// @param y The P-256 key's y coordinate.
    /// @param allowed Whether quotes signed by it verify.
    function setAttestationKey(bytes32 x, bytes32 y, bool allowed) external onlyOwner {
        bytes32 keyHash = keccak256(abi.encodePacked(x, y));
        attestationKeys[keyHash] = allowed;
        emit AttestationKeySet(keyHash, x, y, allowed);
    }

    /// @notice Sets the FMSPC reported in outputs.
    /// @param value Six bytes.
    function setFmspc(bytes6 value) external onlyOwner {
        fmspc = value;
        emit FmspcSet(value);
    }

    /// @inheritdoc IDcapAttestation
    /// @dev Returns (false, reason) for a bad quote, like Automata; reverts only if sent ETH.
    function verifyAndAttestOnChain(
        bytes calldata rawQuote
    ) external payable returns (bool success, bytes memory output) {
        if (msg.value != 0) revert FeeNotAccepted();
        if (rawQuote.length < SIG_DATA + MIN_SIG_DATA) return (false, bytes("quote too short"));
        if (_le(rawQuote, 0, 2) != 4) return (false, bytes("quote version is not 4"));
        if (_le(rawQuote, 2, 2) != 2) return (false, bytes("attestation key type is not ECDSA-P256"));
        if (_le(rawQuote, 4, 4) != 0x81) return (false, bytes("TEE type is not TDX"));
        uint256 sigDataLength = _le(rawQuote, SIGNED, 4);
        if (sigDataLength < MIN_SIG_DATA || rawQuote.length != SIG_DATA + sigDataLength) {
            return (false, bytes("signature data length does not match the quote"));
        }
        bytes32 r = bytes32(rawQuote[SIG_DATA:SIG_DATA + 32]);
        bytes32 s = bytes32(rawQuote[SIG_DATA + 32:SIG_DATA + 64]);
        bytes32 x = bytes32(rawQuote[SIG_DATA + 64:SIG_DATA + 96]);
        bytes32 y = bytes32(rawQuote[SIG_DATA + 96:SIG_DATA + 128]);
        if (!attestationKeys[keccak256(abi.encodePacked(x, y))]) {
            return (false, bytes("attestation key is not registered"));
        }
        if (!P256.verify(sha256(rawQuote[:SIGNED]), r, s, x, y)) {
            return (false, bytes("quote signature is invalid"));
        }
        // Automata v1.1 layout: version (BE), body type 2 = TD 1.0 (BE), TCB status 0, FMSPC, body.
        output = abi.encodePacked(uint16(4), uint16(2), uint8(0), fmspc, rawQuote[HEADER:SIGNED]);
        return (true, output);
    }

    /// @notice Whether `chainId` is a local development chain (Hardhat 31337, Ganache/Geth dev 1337):
    /// the only chains this contract deploys on without `force`. Any other id may be a public
    /// network (Arbitrum, OP, Polygon, BNB and their testnets included), where a simulator must
    /// never decide what is attested.
    /// @param chainId The chain id.
    /// @return True for 31337 and 1337.
    function isLocalChain(uint256 chainId) public pure returns (bool) {
        return chainId == 31337 || chainId == 1337;
    }

    /// @dev Little-endian unsigned integer of `n` bytes at `offset`.
    function _le(bytes calldata b, uint256 offset, uint256 n) private pure returns (uint256 v) {
        for (uint256 i = 0; i < n; ++i) v |= uint256(uint8(b[offset + i])) << (8 * i);
    }
}
