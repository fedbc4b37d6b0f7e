// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

/// @notice Sends ETH to a contract that refuses it, the one way no contract can stop: SELFDESTRUCT
/// (since Cancun it moves the balance without destroying the sender).
contract ForceSender {
    function force(address payable to) external payable {
        // solhint-disable-next-line avoid-low-level-calls
        selfdestruct(to);
    }
}
