// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

/// @title DcapOutput
/// @notice Reads the verified output of a DCAP verifier in the Automata v1.1 layout
/// (written from the layout in DESIGN.md §4, not from Automata's code):
/// `[0:2]` quote version (BE), `[2:4]` quote body type (BE), `[4]` TCB status, `[5:11]` FMSPC,
/// `[11:595]` TD10 report body, `[595:]` advisory ids (ignored here).
/// Parsing only: what is trusted is decided elsewhere (TdPolicy, DealProof).
/// @dev Invariant: never reads outside `output`; every field is returned as the bytes appear.
library DcapOutput {
    /// @notice Offset of the TD10 report body in the output.
    uint256 internal constant BODY = 11;
    /// @notice Minimum output length: header fields plus the 584-byte TD10 body.
    uint256 internal constant MIN_LENGTH = BODY + 584;
    /// @notice Offset of the FMSPC (6 bytes) in the output.
    uint256 internal constant FMSPC = 5;
    /// @notice Offsets inside the TD10 body (DESIGN.md §4).
    uint256 internal constant TD_ATTRIBUTES = 120;
    uint256 internal constant XFAM = 128;
    uint256 internal constant MR_TD = 136;
    uint256 internal constant MR_CONFIG_ID = 184;
    uint256 internal constant RT_MR0 = 328;
    uint256 internal constant RT_MR1 = RT_MR0 + 48;
    uint256 internal constant RT_MR2 = RT_MR0 + 96;
    uint256 internal constant RT_MR3 = RT_MR0 + 144;
    uint256 internal constant REPORT_DATA = 520;

    /// @notice The output is shorter than a TD10 output must be.
    /// @param length The output's length in bytes.
    error VerifierOutputTooShort(uint256 length);

    /// @notice The fields DealProof's policy reads.
    struct Verified {
        uint16 version;
        uint16 bodyType;
        uint8 tcbStatus;
        bytes6 fmspc;
        bytes8 tdAttributes;
        bytes8 xfam;
        bytes32 measurementId;
        bytes32 reportDataLow;
        bytes32 reportDataHigh;
    }

    /// @notice Parses a verifier output. Reverts with VerifierOutputTooShort below 595 bytes;
    /// never reads outside `output`.
    function parse(bytes memory output) internal pure returns (Verified memory v) {
        if (output.length < MIN_LENGTH) revert VerifierOutputTooShort(output.length);
        uint256 head = uint256(wordAt(output, 0));
        v.version = uint16(head >> 240);
        v.bodyType = uint16(head >> 224);
        v.tcbStatus = uint8(head >> 216);
        v.fmspc = bytes6(bytes32(head << (8 * FMSPC)));
        bytes32 attrs = wordAt(output, BODY + TD_ATTRIBUTES);
        v.tdAttributes = bytes8(attrs);
        v.xfam = bytes8(attrs << 64);
        v.measurementId = measurementId(output);
        v.reportDataLow = wordAt(output, BODY + REPORT_DATA);
        v.reportDataHigh = wordAt(output, BODY + REPORT_DATA + 32);
    }

    /// @notice keccak256(mrTd ‖ rtMr0 ‖ rtMr1 ‖ rtMr2 ‖ rtMr3 ‖ mrConfigId ‖ tdAttributes ‖ xFAM)
    /// (DESIGN.md §4): 5 × 48 + 48 + 8 + 8 = 304 bytes, as they appear in the body.
    /// rtMr0..rtMr3 are contiguous in the body (328..520), and so are tdAttributes ‖ xFAM (120..136).
    /// Reverts with VerifierOutputTooShort when `output` is shorter than a TD10 output.
    function measurementId(bytes memory output) internal pure returns (bytes32) {
        if (output.length < MIN_LENGTH) revert VerifierOutputTooShort(output.length);
        uint256 m = BODY + MR_TD;
        uint256 r = BODY + RT_MR0;
        uint256 c = BODY + MR_CONFIG_ID;
        return
            keccak256(
                bytes.concat(
                    abi.encodePacked(
                        wordAt(output, m),
                        bytes16(wordAt(output, m + 32)),
                        wordAt(output, r),
                        wordAt(output, r + 32),
                        wordAt(output, r + 64),
                        wordAt(output, r + 96),
                        wordAt(output, r + 128),
                        wordAt(output, r + 160)
                    ),
                    abi.encodePacked(
                        wordAt(output, c),
                        bytes16(wordAt(output, c + 32)),
                        bytes16(wordAt(output, BODY + TD_ATTRIBUTES))
                    )
                )
            );
    }

    /// @notice The 32 bytes of `b` starting at `offset`; `offset + 32` must be within `b`.
    /// @dev One mload instead of a 32-iteration byte copy: measured in scripts/bench/gas.ts
    /// (`parseOutput`), and pinned by contracts/test/DcapOutput.t.sol against a pure-Solidity
    /// byte-by-byte reference on fuzzed inputs, including the bounds check.
    function wordAt(bytes memory b, uint256 offset) internal pure returns (bytes32 w) {
        if (offset + 32 > b.length) revert VerifierOutputTooShort(b.length);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            w := mload(add(add(b, 0x20), offset))
        }
    }
}
