// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {DcapOutput} from "../../lib/DcapOutput.sol";

/// @title DcapOutputFieldsHarness
/// @notice For the conformance test against Automata's own verifier (test/quote/automata-conformance.test.ts):
/// DcapOutput.parse of a real verifier output, and the raw body fields read at DcapOutput's own
/// offsets, so each can be compared with the TypeScript quote reader on the same quote.
/// @dev Invariant: every field is a plain calldata slice at `DcapOutput.BODY + <constant>`; no
/// offset is restated here, so a wrong constant in DcapOutput shows as a mismatch.
contract DcapOutputFieldsHarness {
    /// @notice The body fields as the bytes appear in the output.
    struct RawFields {
        bytes tdAttributes;
        bytes xfam;
        bytes mrTd;
        bytes mrConfigId;
        bytes rtMr0;
        bytes rtMr1;
        bytes rtMr2;
        bytes rtMr3;
        bytes reportData;
    }

    /// @notice DcapOutput.parse(output).
    function parse(bytes calldata output) external pure returns (DcapOutput.Verified memory) {
        return DcapOutput.parse(output);
    }

    /// @notice The raw body fields at DcapOutput's offsets; reverts like parse below MIN_LENGTH.
    function rawFields(bytes calldata output) external pure returns (RawFields memory f) {
        if (output.length < DcapOutput.MIN_LENGTH) revert DcapOutput.VerifierOutputTooShort(output.length);
        bytes calldata body = output[DcapOutput.BODY:DcapOutput.MIN_LENGTH];
        f.tdAttributes = body[DcapOutput.TD_ATTRIBUTES:DcapOutput.TD_ATTRIBUTES + 8];
        f.xfam = body[DcapOutput.XFAM:DcapOutput.XFAM + 8];
        f.mrTd = body[DcapOutput.MR_TD:DcapOutput.MR_TD + 48];
        f.mrConfigId = body[DcapOutput.MR_CONFIG_ID:DcapOutput.MR_CONFIG_ID + 48];
        f.rtMr0 = body[DcapOutput.RT_MR0:DcapOutput.RT_MR0 + 48];
        f.rtMr1 = body[DcapOutput.RT_MR1:DcapOutput.RT_MR1 + 48];
        f.rtMr2 = body[DcapOutput.RT_MR2:DcapOutput.RT_MR2 + 48];
        f.rtMr3 = body[DcapOutput.RT_MR3:DcapOutput.RT_MR3 + 48];
        f.reportData = body[DcapOutput.REPORT_DATA:DcapOutput.REPORT_DATA + 64];
    }
}
