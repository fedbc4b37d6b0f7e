// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

/// @title IDcapAttestation
/// @notice The entry point of an on-chain Intel DCAP quote verifier, as Automata's
/// `AutomataDcapAttestationFee` (v1.1) exposes it. DealProof talks to any verifier through this.
interface IDcapAttestation {
    /// @notice Verifies a raw DCAP quote and its collateral on-chain.
    /// @param rawQuote The quote bytes exactly as the TEE produced them.
    /// @return success True when the quote verified.
    /// @return output On success, the verified output (Automata v1.1 layout, see DcapOutput);
    /// on failure, a reason. The call does not revert on an invalid quote.
    function verifyAndAttestOnChain(
        bytes calldata rawQuote
    ) external payable returns (bool success, bytes memory output);
}
