// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {DcapOutput} from "../../lib/DcapOutput.sol";

/// @notice Exposes DcapOutput so Solidity and TypeScript tests can call it (reverts observable,
/// and the TS measurement id can be compared with the contract's on the same bytes).
contract DcapOutputHarness {
    function parse(bytes memory output) external pure returns (DcapOutput.Verified memory) {
        return DcapOutput.parse(output);
    }

    function measurementId(bytes memory output) external pure returns (bytes32) {
        return DcapOutput.measurementId(output);
    }

    function wordAt(bytes memory b, uint256 offset) external pure returns (bytes32) {
        return DcapOutput.wordAt(b, offset);
    }
}
