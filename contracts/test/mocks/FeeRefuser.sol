// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {IDealProof} from "../../interfaces/IDealProof.sol";

/// @notice Test submitter that cannot receive ETH (no receive/fallback): a returned fee cannot reach it.
contract FeeRefuser {
    function settle(IDealProof dp, IDealProof.Settlement calldata s, bytes calldata quote) external payable {
        dp.settleWithQuote{value: msg.value}(s, quote);
    }
}
