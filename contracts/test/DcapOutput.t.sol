// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {DcapOutput} from "../lib/DcapOutput.sol";
import {TestBase} from "./Vm.sol";
import {DcapOutputHarness} from "./mocks/DcapOutputHarness.sol";

/// @notice Pins DcapOutput's assembly word reads against a byte-by-byte reference on fuzzed inputs.
contract DcapOutputTest is TestBase {
    DcapOutputHarness internal h = new DcapOutputHarness();

    /// @dev Pure-Solidity reference: copy 32 bytes one at a time.
    function refWord(bytes memory b, uint256 offset) internal pure returns (bytes32 w) {
        for (uint256 i = 0; i < 32; ++i) w |= bytes32(b[offset + i]) >> (8 * i);
    }

    /// @dev `len` (<= 32) bytes of `b` from `offset`, left-aligned, copied one at a time.
    function refSlice(bytes memory b, uint256 offset, uint256 len) internal pure returns (bytes32 w) {
        for (uint256 i = 0; i < len; ++i) w |= bytes32(b[offset + i]) >> (8 * i);
    }

    /// @dev Reference measurement id: the 304-byte preimage assembled byte by byte from the body
    /// offsets of DESIGN.md §4 (mrTd, rtMr0..3, mrConfigId, tdAttributes, xFAM).
    function refMeasurementId(bytes memory b) internal pure returns (bytes32) {
        uint256[8] memory off = [uint256(136), 328, 376, 424, 472, 184, 120, 128];
        uint256[8] memory len = [uint256(48), 48, 48, 48, 48, 48, 8, 8];
        bytes memory pre = new bytes(304);
        uint256 p = 0;
        for (uint256 f = 0; f < 8; ++f) {
            for (uint256 i = 0; i < len[f]; ++i) pre[p++] = b[11 + off[f] + i];
        }
        return keccak256(pre);
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

    function test_measurementIdCoversEveryFieldAndOnlyThem() public view {
        bytes memory b = fill(7, 595);
        bytes32 base = h.measurementId(b);
        // one byte flipped inside each measured field changes the id
        uint256[8] memory inside = [uint256(136), 183, 328, 519, 184, 231, 120, 135];
        for (uint256 i = 0; i < inside.length; ++i) {
            bytes memory c = bytes.concat(b);
            c[11 + inside[i]] ^= 0x01;
            assertTrue(h.measurementId(c) != base, "a measured byte did not change the id");
        }
        // bytes outside the measured fields (teeTcbSvn, mrSeam, seamAttributes, mrOwner, mrOwnerConfig,
        // reportData, header) do not
        uint256[8] memory outside = [uint256(0), 16, 112, 232, 280, 327, 520, 583];
        for (uint256 i = 0; i < outside.length; ++i) {
            bytes memory c = bytes.concat(b);
            c[11 + outside[i]] ^= 0x01;
            assertEq(h.measurementId(c), base, "an unmeasured byte changed the id");
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
            assertEq(bytes32(v.fmspc), refSlice(b, 5, 6), "fmspc");
            assertEq(bytes32(v.tdAttributes), refSlice(b, 11 + 120, 8), "td attributes");
            assertEq(bytes32(v.xfam), refSlice(b, 11 + 128, 8), "xfam");
            assertEq(v.measurementId, refMeasurementId(b), "measurement id");
            assertEq(h.measurementId(b), v.measurementId, "measurementId() and parse() agree");
        } catch (bytes memory err) {
            assertTrue(n < 595, "rejected a full-length output");
            assertEq(bytes4(err), DcapOutput.VerifierOutputTooShort.selector, "wrong error");
        }
    }
}
