// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {IDcapAttestation} from "../../interfaces/IDcapAttestation.sol";

/// @notice Test double: returns whatever (success, output) the test set, and records the fee it got.
/// With `refundPercent` set it sends that share of the fee back to its caller during the call, as
/// Automata's FeeManagerBase does with an overpaid fee.
contract MockDcapVerifier is IDcapAttestation {
    bool public success = true;
    bytes public output;
    uint256 public lastValue;
    bytes32 public lastQuoteHash;
    uint256 public refundPercent;

    function setResult(bool success_, bytes calldata output_) external {
        success = success_;
        output = output_;
    }

    function setRefundPercent(uint256 percent) external {
        require(percent <= 100, "percent");
        refundPercent = percent;
    }

    function verifyAndAttestOnChain(bytes calldata rawQuote) external payable returns (bool, bytes memory) {
        lastValue = msg.value;
        lastQuoteHash = keccak256(rawQuote);
        uint256 back = (msg.value * refundPercent) / 100;
        if (back != 0) {
            (bool ok, ) = msg.sender.call{value: back}("");
            require(ok, "the caller refused the fee refund");
        }
        return (success, output);
    }
}
