// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {IDcapAttestation} from "../../interfaces/IDcapAttestation.sol";

/// @notice Test double: returns whatever (success, output) the test set, and records the fee it got.
contract MockDcapVerifier is IDcapAttestation {
    bool public success = true;
    bytes public output;
    uint256 public lastValue;
    bytes32 public lastQuoteHash;

    function setResult(bool success_, bytes calldata output_) external {
        success = success_;
        output = output_;
    }

    function verifyAndAttestOnChain(bytes calldata rawQuote) external payable returns (bool, bytes memory) {
        lastValue = msg.value;
        lastQuoteHash = keccak256(rawQuote);
        return (success, output);
    }
}
