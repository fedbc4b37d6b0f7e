// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {DealProof} from "../DealProof.sol";
import {IOracleRegistry} from "../interfaces/IOracleRegistry.sol";
import {ITrustPolicy} from "../interfaces/ITrustPolicy.sol";
import {DcapOutput} from "../lib/DcapOutput.sol";
import {TdPolicy} from "../lib/TdPolicy.sol";
import {MockDcapVerifier} from "./mocks/MockDcapVerifier.sol";
import {TestBase} from "./Vm.sol";

/// @notice Fuzz tests of the trust model: the TD attributes policy against a byte-by-byte reading
/// of DESIGN.md §4, and registerOracle's issuedAt rules (future, freshness window, strictly newer).
contract TrustModelTest is TestBase {
    MockDcapVerifier internal mock;
    DealProof internal dp;
    bytes32 internal measurement;
    uint32 internal constant WINDOW = 1 hours;
    bytes32 internal constant INSTANCE = bytes32(uint256(0x1d));

    function setUp() public {
        vm.warp(1_800_000_000);
        mock = new MockDcapVerifier();
        bytes memory out = new bytes(595);
        out[DcapOutput.BODY + DcapOutput.TD_ATTRIBUTES + 3] = 0x10;
        measurement = DcapOutput.measurementId(out);
        bytes32[] memory allowed = new bytes32[](1);
        allowed[0] = measurement;
        dp = new DealProof(address(this), mock, 7 days, WINDOW, 0, allowed);
    }

    /// @dev DESIGN.md §4 read byte by byte.
    function refTrusted(bytes8 a) internal pure returns (bool) {
        if (a[0] != 0 || a[1] != 0 || a[2] != 0) return false;
        uint8 b3 = uint8(a[3]);
        if (b3 & 0x0f != 0 || b3 & 0x20 != 0 || b3 & 0x10 == 0) return false;
        if (a[4] != 0 || a[5] != 0 || a[6] != 0) return false;
        return uint8(a[7]) & 0x7f == 0;
    }

    function testFuzz_tdPolicyMatchesTheRule(bytes8 a) public pure {
        assertTrue(TdPolicy.isTrusted(a) == refTrusted(a), "TdPolicy differs from DESIGN.md section 4");
    }

    function testFuzz_tdPolicyNearProduction(uint8 bit, uint8 freeBits) public pure {
        // production attributes with one arbitrary bit flipped, plus any of the free bits
        uint64 a = 0x0000001000000000 ^ (uint64(1) << (bit % 64));
        uint64 free = (uint64(freeBits & 0x3) << 38) | (uint64(freeBits >> 7) << 0);
        bytes8 v = bytes8(a | free);
        assertTrue(TdPolicy.isTrusted(v) == refTrusted(v), "TdPolicy differs near production");
    }

    function _output(bytes32 digest) internal pure returns (bytes memory) {
        bytes memory body = new bytes(584);
        body[DcapOutput.TD_ATTRIBUTES + 3] = 0x10;
        for (uint256 i = 0; i < 32; ++i) body[DcapOutput.REPORT_DATA + i] = digest[i];
        return abi.encodePacked(uint16(4), uint16(2), uint8(0), bytes6(0), body);
    }

    function _register(address signer, uint64 issuedAt) internal returns (bool ok, bytes4 err) {
        mock.setResult(true, _output(dp.registrationDigest(signer, bytes32(uint256(1)), INSTANCE, issuedAt)));
        try dp.registerOracle(signer, bytes32(uint256(1)), INSTANCE, issuedAt, hex"00") {
            return (true, 0);
        } catch (bytes memory e) {
            return (false, bytes4(e));
        }
    }

    function testFuzz_issuedAtRules(uint64 first, uint64 second) public {
        address signer = address(0xA11CE);
        uint64 nowTs = uint64(block.timestamp);
        first = nowTs - (first % (2 * WINDOW)); // from now back to twice the window
        (bool ok, bytes4 err) = _register(signer, first);
        if (nowTs - first > WINDOW) {
            assertTrue(!ok && err == IOracleRegistry.RegistrationStale.selector, "stale accepted");
            return;
        }
        assertTrue(ok, "fresh refused");
        assertEq(dp.currentIssuedAt(), first, "current not moved");
        // a second registration: future, stale, not newer, or accepted
        second = uint64(uint256(nowTs) + WINDOW - (second % (3 * WINDOW)));
        (ok, err) = _register(signer, second);
        if (second > nowTs)
            assertTrue(!ok && err == IOracleRegistry.RegistrationFromFuture.selector, "future");
        else if (nowTs - second > WINDOW)
            assertTrue(!ok && err == IOracleRegistry.RegistrationStale.selector, "stale");
        else if (second <= first)
            assertTrue(!ok && err == IOracleRegistry.RegistrationNotNewer.selector, "replay");
        else assertTrue(ok && dp.currentIssuedAt() == second, "newer refused");
        assertTrue(dp.currentIssuedAt() >= first, "currentIssuedAt went back");
    }

    function testFuzz_instanceIdIsBoundAndStored(bytes32 instance, bytes32 other) public {
        if (instance == other) return;
        address signer = address(0xB0B);
        uint64 t = uint64(block.timestamp);
        // a quote over another instance's registration does not register this one
        mock.setResult(true, _output(dp.registrationDigest(signer, bytes32(uint256(1)), other, t)));
        try dp.registerOracle(signer, bytes32(uint256(1)), instance, t, hex"00") {
            assertTrue(false, "registered with a quote for another instance id");
        } catch (bytes memory e) {
            assertTrue(bytes4(e) == ITrustPolicy.ReportDataMismatch.selector, "not ReportDataMismatch");
        }
        mock.setResult(true, _output(dp.registrationDigest(signer, bytes32(uint256(1)), instance, t)));
        dp.registerOracle(signer, bytes32(uint256(1)), instance, t, hex"00");
        assertEq(dp.registrationOf(signer).instanceId, instance, "instance id not stored");
    }
}
