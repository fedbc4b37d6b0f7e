// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IDcapAttestation} from "./interfaces/IDcapAttestation.sol";
import {IDealProof} from "./interfaces/IDealProof.sol";
import {ListingRegistry} from "./ListingRegistry.sol";
import {OracleRegistry} from "./OracleRegistry.sol";
import {TrustPolicy} from "./TrustPolicy.sol";

/// @title DealProof
/// @notice Escrow for private data deals negotiated inside an Intel TDX enclave.
/// A buyer escrows ETH and names a seller and a dataset commitment; the seller accepts; an
/// enclave (the oracle) negotiates on the parties' sealed inputs and settles with either a TDX
/// quote verified on-chain by a DCAP verifier, or a signature from an enclave key that was
/// registered with such a quote. Payments are pull-based (`withdraw`).
/// A seller may instead publish a listing once and sell it to many buyers, whose deals start
/// Accepted (DESIGN.md §11).
/// @dev Composed of four parts, each with its own interface: TrustPolicy (which quotes are
/// trusted, and the owner's timelocked power over it), OracleRegistry (the enclave keys),
/// DealEscrow (the deals and their payouts) and ListingRegistry (listings, built on the escrow).
/// This contract holds what spans them: the constructor, the EIP-712 domain, settlement, where
/// an outcome the escrow checks is authenticated by a quote the trust policy accepts or by a
/// signer the registry still trusts, and whether a listing's key is still registered.
/// Invariants: ETH held = open escrow + unwithdrawn payouts (+ ETH force-sent); ETH a verifier
/// returns during a call goes back to the caller within that call; terminal states are final.
/// Replay protection: every settlement digest binds the deal id and the EIP-712 domain, and a
/// deal settles at most once. Gas: a whole deal settled by signature costs under 250k gas.
contract DealProof is IDealProof, OracleRegistry, ListingRegistry {
    bytes32 private constant SETTLEMENT_TYPEHASH = keccak256(
        "Settlement(uint256 dealId,bool agreed,uint256 price,bytes32 termsHash,bytes32 dataRoot,bytes32 transcriptHash,bytes delivery)"
    );

    /// @param initialOwner Owner (two-step transfer; renouncing is disabled).
    /// @param verifier_ The DCAP verifier (Automata's on public chains, SimulatedDcapVerifier locally).
    /// @param registrationTtl_ Lifetime of a registration after its issuedAt, in seconds.
    /// @param freshnessWindow_ How old a registration's issuedAt may be when submitted, in seconds.
    /// @param changeDelay Delay of widening changes: ≥ 2 days unless the chain id is 31337 or 1337.
    /// @param initialMeasurements Measurement ids allowed from the start (no deal exists yet).
    constructor(
        address initialOwner,
        IDcapAttestation verifier_,
        uint64 registrationTtl_,
        uint32 freshnessWindow_,
        uint64 changeDelay,
        bytes32[] memory initialMeasurements
    )
        EIP712("DealProof", "1")
        TrustPolicy(
            initialOwner,
            verifier_,
            registrationTtl_,
            freshnessWindow_,
            changeDelay,
            initialMeasurements
        )
    {}

    /// @inheritdoc IDealProof
    function settleWithQuote(
        Settlement calldata outcome,
        bytes calldata quote
    ) external payable nonReentrant {
        StoredDeal storage deal = _checkSettleable(outcome);
        bytes32 digest = settlementDigest(outcome);
        _verifyQuote(quote, digest);
        _settle(deal, outcome);
        _returnFee();
    }

    /// @inheritdoc IDealProof
    function settleWithSignature(
        Settlement calldata outcome,
        bytes calldata signature
    ) external nonReentrant {
        StoredDeal storage deal = _checkSettleable(outcome);
        bytes32 digest = settlementDigest(outcome);
        address signer;
        if (signature.length == 65) {
            signer = ECDSA.recoverCalldata(digest, signature);
        } else if (signature.length == 64) {
            signer = ECDSA.recover(digest, bytes32(signature[0:32]), bytes32(signature[32:64]));
        } else {
            revert InvalidSignatureLength(signature.length);
        }
        _requireTrustedSigner(signer);
        _settle(deal, outcome);
    }

    /// @dev A listing's key is live while a registration carries it (the registry's answer).
    function _encryptionKeyLiveUntil(bytes32 encryptionKey) internal view override returns (uint64) {
        return encryptionKeyLiveUntil(encryptionKey);
    }

    /// @inheritdoc IDealProof
    function settlementDigest(Settlement calldata outcome) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        SETTLEMENT_TYPEHASH,
                        outcome.dealId,
                        outcome.agreed,
                        outcome.price,
                        outcome.termsHash,
                        outcome.dataRoot,
                        outcome.transcriptHash,
                        keccak256(outcome.delivery)
                    )
                )
            );
    }
}
