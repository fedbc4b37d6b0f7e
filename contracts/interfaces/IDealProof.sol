// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {IDealEscrow} from "./IDealEscrow.sol";
import {IListingRegistry} from "./IListingRegistry.sol";
import {IOracleRegistry} from "./IOracleRegistry.sol";
import {ITrustPolicy} from "./ITrustPolicy.sol";

/// @title IDealProof
/// @notice External surface of DealProof (DESIGN.md §2–§4, §11): the trust policy (ITrustPolicy),
/// the oracle registry (IOracleRegistry), the deal escrow (IDealEscrow) and the listings
/// (IListingRegistry), and what spans them:
/// settling a deal with an attested outcome, authenticated by a quote the trust policy accepts or
/// by the signature of a signer the registry still trusts.
/// @dev Each part declares its own types, events and errors; this interface only adds the
/// settlement. Ownership (OpenZeppelin Ownable2Step) is not repeated here.
interface IDealProof is ITrustPolicy, IOracleRegistry, IDealEscrow, IListingRegistry {
    /// @notice The outcome the enclave attests (EIP-712 `Settlement`, DESIGN.md §3).
    struct Settlement {
        uint256 dealId;
        bool agreed;
        uint256 price;
        bytes32 termsHash;
        bytes32 dataRoot;
        bytes32 transcriptHash;
        bytes delivery;
    }

    /// @notice settleWithSignature: the signature is neither 65 nor 64 (EIP-2098) bytes.
    /// @param length Its length.
    error InvalidSignatureLength(uint256 length);

    /// @notice Settles an Accepted deal with a TDX quote whose report_data is the outcome's EIP-712
    /// digest followed by 32 zero bytes. Anyone may submit: the quote is the authority. `msg.value`
    /// goes to the verifier as its fee; whatever it returns during the call goes back to the caller.
    ///
    /// Requirements: the outcome checks — the deal is Accepted (InvalidState), not past its
    /// deadline (DeadlinePassed), the outcome's dataRoot is the deal's (DataRootMismatch), an
    /// agreed price ≤ the escrow (PriceAboveEscrow), a no-deal outcome has price 0 and no
    /// delivery (InvalidNoDealOutcome); the quote checks — the verifier accepts it
    /// (VerifierRejected, VerifierOutputTooShort), v4 TD 1.0 (UnsupportedQuote), its TCB status
    /// accepted (TcbStatusNotAccepted), its TD attributes trusted (TdAttributesRejected), its
    /// measurement allowed (MeasurementNotAllowed), report_data = digest ‖ 0 (ReportDataMismatch);
    /// a returned fee reaches the caller (FeeRefundFailed); not reentered
    /// (ReentrancyGuardReentrantCall).
    ///
    /// Emits: DealSettled, then FeeRefunded if the verifier returned ETH.
    /// @param outcome The attested outcome.
    /// @param quote The raw quote.
    function settleWithQuote(Settlement calldata outcome, bytes calldata quote) external payable;

    /// @notice Settles an Accepted deal with a registered oracle signer's ECDSA signature over the
    /// outcome's EIP-712 digest. The signer's registration must be unrevoked, unexpired
    /// (issuedAt + the TTL in force), and its measurement and TCB status still trusted.
    ///
    /// Requirements: the outcome checks of `settleWithQuote`; a 65- or 64-byte signature
    /// (InvalidSignatureLength) that recovers (ECDSAInvalidSignature, ECDSAInvalidSignatureS) to a
    /// registered signer (UnknownOracle), not revoked (SignerIsRevoked), not expired
    /// (OracleRegistrationExpired), its measurement still allowed (MeasurementNotAllowed) and its
    /// TCB status still accepted (TcbStatusNotAccepted); not reentered (ReentrancyGuardReentrantCall).
    ///
    /// Emits: DealSettled.
    /// @param outcome The attested outcome.
    /// @param signature 65-byte (r ‖ s ‖ v) or 64-byte EIP-2098 (r ‖ vs) signature.
    function settleWithSignature(Settlement calldata outcome, bytes calldata signature) external;

    /// @notice EIP-712 digest of an outcome (report_data[0:32] of its quote; what the oracle signs).
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @param outcome The outcome.
    /// @return The digest.
    function settlementDigest(Settlement calldata outcome) external view returns (bytes32);
}
