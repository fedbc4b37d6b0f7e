// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {DealProof} from "../../DealProof.sol";

/// @notice Test attacker: acts as a buyer or a seller and, when paid, tries to re-enter DealProof.
contract ReentrantParty {
    DealProof public immutable target;
    /// @notice 0: accept ETH quietly; 1: re-enter withdraw and let a failure bubble;
    /// 2: re-enter withdraw/refund/settle and swallow failures; 3: reject all ETH.
    uint8 public mode;
    uint256 public reentryAttempts;
    uint256 public reentrySuccesses;
    /// @notice The deal it created or accepted last (the one it withdraws from and re-enters).
    uint256 public dealId;

    constructor(DealProof target_) {
        target = target_;
    }

    function setMode(uint8 mode_) external {
        mode = mode_;
    }

    function createDeal(address seller, bytes32 root, uint64 deadline) external payable returns (uint256) {
        dealId = target.createDeal{value: msg.value}(seller, root, deadline, hex"01");
        return dealId;
    }

    function acceptDeal(uint256 dealId_) external {
        dealId = dealId_;
        target.acceptDeal(dealId_, hex"02");
    }

    function withdraw() external {
        target.withdraw(dealId);
    }

    function withdrawTo(address payable to) external {
        target.withdrawTo(dealId, to);
    }

    receive() external payable {
        if (mode == 3) revert("no ETH, thanks");
        if (mode == 1) {
            ++reentryAttempts;
            target.withdraw(dealId);
            ++reentrySuccesses;
        } else if (mode == 2) {
            ++reentryAttempts;
            try target.withdraw(dealId) {
                ++reentrySuccesses;
            } catch {}
            try target.refund(dealId) {
                ++reentrySuccesses;
            } catch {}
        }
    }
}
