// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {IDcapAttestation} from "../../interfaces/IDcapAttestation.sol";

/// @notice Benchmark double: "verifies" by returning its input as the output, storing nothing,
/// so DealProof's own cost in settleWithQuote can be measured apart from any verifier's.
contract EchoDcapVerifier is IDcapAttestation {
    function verifyAndAttestOnChain(bytes calldata rawQuote) external payable returns (bool, bytes memory) {
        return (true, rawQuote);
    }
}
