// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {DcapOutput} from "../../lib/DcapOutput.sol";
import {TdPolicy} from "../../lib/TdPolicy.sol";

/// @title ProtocolConstantsHarness
/// @notice For test/contracts/constants-parity.test.ts: the `internal` constants of the libraries
/// DealProof links in (TD attributes masks, verifier-output layout), returned as they are compiled,
/// so the TypeScript definitions can be compared with them. DealProof's own limits are `public
/// constant`s read from DealProof itself.
/// @dev Invariant: every value is the library constant itself; nothing is restated here. A test
/// contract only: DealProof's bytecode and gas do not change.
contract ProtocolConstantsHarness {
    /// @notice The offsets and lengths of DcapOutput, by their names there.
    struct OutputLayout {
        uint256 body;
        uint256 minLength;
        uint256 fmspc;
        uint256 tdAttributes;
        uint256 xfam;
        uint256 mrTd;
        uint256 mrConfigId;
        uint256 rtMr0;
        uint256 rtMr1;
        uint256 rtMr2;
        uint256 rtMr3;
        uint256 reportData;
    }

    /// @notice TdPolicy's masks.
    /// @return mustBeClear TdPolicy.MUST_BE_CLEAR.
    /// @return mustBeSet TdPolicy.MUST_BE_SET.
    function tdPolicy() external pure returns (uint64 mustBeClear, uint64 mustBeSet) {
        return (TdPolicy.MUST_BE_CLEAR, TdPolicy.MUST_BE_SET);
    }

    /// @notice DcapOutput's layout constants.
    /// @return layout The offsets (body fields relative to the body) and the minimum length.
    function outputLayout() external pure returns (OutputLayout memory layout) {
        layout.body = DcapOutput.BODY;
        layout.minLength = DcapOutput.MIN_LENGTH;
        layout.fmspc = DcapOutput.FMSPC;
        layout.tdAttributes = DcapOutput.TD_ATTRIBUTES;
        layout.xfam = DcapOutput.XFAM;
        layout.mrTd = DcapOutput.MR_TD;
        layout.mrConfigId = DcapOutput.MR_CONFIG_ID;
        layout.rtMr0 = DcapOutput.RT_MR0;
        layout.rtMr1 = DcapOutput.RT_MR1;
        layout.rtMr2 = DcapOutput.RT_MR2;
        layout.rtMr3 = DcapOutput.RT_MR3;
        layout.reportData = DcapOutput.REPORT_DATA;
    }
}
