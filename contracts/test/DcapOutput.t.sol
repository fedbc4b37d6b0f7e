// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {DcapOutput} from "../lib/DcapOutput.sol";
import {TestBase} from "./Vm.sol";

/// @notice Exposes the library so reverts can be observed.
contract DcapOutputHarness {
    function parse(bytes memory output) external pure returns (DcapOutput.Verified memory) {
        return DcapOutput.parse(output);
    }

    function wordAt(bytes memory b, uint256 offset) external pure returns (bytes32) {
        return DcapOutput.wordAt(b, offset);
    }
}

/// @notice Pins DcapOutput's assembly word reads against a byte-by-byte reference on fuzzed inputs.
contract DcapOutputTest is TestBase {
    DcapOutputHarness internal h = new DcapOutputHarness();

    /// @dev Pure-Solidity reference: copy 32 bytes one at a time.
    function refWord(bytes memory b, uint256 offset) internal pure returns (bytes32 w) {
        for (uint256 i = 0; i < 32; ++i) w |= bytes32(b[offset + i]) >> (8 * i);
    }

    function fill(uint256 seed, uint256 len) internal pure returns (bytes memory b) {
        b = new bytes(len);
        for (uint256 i = 0; i < len; i += 32) {
            bytes32 word = keccak256(abi.encode(seed, i));
            for (uint256 j = 0; j < 32 && i + j < len; ++j) b[i + j] = word[j];
        }
    }

    function testFuzz_wordAtMatchesReference(uint256 seed, uint16 len, uint16 offset) public view {
        uint256 n = uint256(len) % 1200;
        bytes memory b = fill(seed, n);
        uint256 off = uint256(offset) % 1300;
        if (off + 32 <= n) {
            assertEq(h.wordAt(b, off), refWord(b, off), "word differs from reference");
        } else {
            try h.wordAt(b, off) returns (bytes32) {
                revert("read past the end");
            } catch (bytes memory err) {
                assertEq(bytes4(err), DcapOutput.VerifierOutputTooShort.selector, "wrong error");
            }
        }
    }

    function testFuzz_parseNeverReadsOutOfBounds(uint256 seed, uint16 len) public view {
        uint256 n = uint256(len) % 1400;
        bytes memory b = fill(seed, n);
        try h.parse(b) returns (DcapOutput.Verified memory v) {
            assertTrue(n >= 595, "parsed a short output");
            assertEq(v.version, uint16(uint8(b[0])) * 256 + uint8(b[1]), "version");
            assertEq(v.bodyType, uint16(uint8(b[2])) * 256 + uint8(b[3]), "body type");
            assertEq(v.tcbStatus, uint8(b[4]), "tcb status");
            assertEq(v.reportDataLow, refWord(b, 531), "report data low");
            assertEq(v.reportDataHigh, refWord(b, 563), "report data high");
            bytes memory regs = new bytes(240);
            for (uint256 i = 0; i < 48; ++i) regs[i] = b[147 + i];
            for (uint256 i = 0; i < 192; ++i) regs[48 + i] = b[339 + i];
            assertEq(v.measurementId, keccak256(regs), "measurement id");
        } catch (bytes memory err) {
            assertTrue(n < 595, "rejected a full-length output");
            assertEq(bytes4(err), DcapOutput.VerifierOutputTooShort.selector, "wrong error");
        }
    }
}
