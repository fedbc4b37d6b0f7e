// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

/// @title TdPolicy
/// @notice Which TD attributes DealProof trusts (DESIGN.md §4, the same rule as
/// Phala's dcap-qvl and oracle/quote/td-attributes.ts). Policy only: DcapOutput parses.
/// The 8 bytes are read as they appear in the TD report (byte 0 first, i.e. the most significant
/// byte of the bytes8):
/// - byte 0 (TUD, includes DEBUG) must be 0: a DEBUG TD lets the host read the enclave's memory;
/// - SEC flags: reserved bits (byte 1, byte 2, low nibble of byte 3) and bit 29 (byte 3 & 0x20)
///   must be 0, SEPT_VE_DISABLE (byte 3 & 0x10) must be 1;
/// - OTHER flags: reserved bits (bytes 4–6 and byte 7 & 0x7f) must be 0.
/// PKS and KL (byte 3 & 0xc0) and PERFMON (byte 7 & 0x80) are free.
library TdPolicy {
    /// @notice Bits that must be clear.
    uint64 internal constant MUST_BE_CLEAR = 0xFFFFFF2FFFFFFF7F;
    /// @notice Bits that must be set (SEPT_VE_DISABLE).
    uint64 internal constant MUST_BE_SET = 0x0000001000000000;

    /// @notice Whether a TD with these attributes may settle deals and register keys.
    /// @param tdAttributes The report's tdAttributes, as the bytes appear.
    /// @return True when the policy holds.
    function isTrusted(bytes8 tdAttributes) internal pure returns (bool) {
        uint64 a = uint64(tdAttributes);
        return a & MUST_BE_CLEAR == 0 && a & MUST_BE_SET == MUST_BE_SET;
    }
}
