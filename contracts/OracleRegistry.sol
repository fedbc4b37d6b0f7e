// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IOracleRegistry} from "./interfaces/IOracleRegistry.sol";
import {TrustPolicy} from "./TrustPolicy.sol";

/// @title OracleRegistry
/// @notice The enclave keys: registration with a quote the trust policy accepts, the current
/// oracle dapps seal inputs to, revocation, and the check a signature settlement makes on its
/// signer (`_requireTrustedSigner`, and the same rule as the view `isTrustedSigner`). Each replica
/// of the oracle app registers its own signer with its instance id (DESIGN.md §12); replicas and
/// dapps read the rule through that view rather than re-deriving it.
/// @dev Replay protection: a registration binds `issuedAt`, which must be fresh and newer than
/// the signer's last, so a quote seen in public calldata cannot be submitted again; an old quote
/// can never renew a key or move `currentSigner` back. Expiry is computed on use (issuedAt + the
/// TTL in force), so shortening the TTL shortens existing registrations at once. The EIP-712
/// domain is DealProof's (its constructor names it).
abstract contract OracleRegistry is EIP712, TrustPolicy, IOracleRegistry, ReentrancyGuardTransient {
    bytes32 private constant REGISTRATION_TYPEHASH = keccak256(
        "OracleRegistration(address signer,bytes32 encryptionKey,bytes32 instanceId,uint64 issuedAt)"
    );

    // slot (shared with TrustPolicy's last one: registerOracle reads the epoch beside it)
    /// @inheritdoc IOracleRegistry
    address public currentSigner;
    // slot: the current registration's issuedAt
    /// @inheritdoc IOracleRegistry
    uint64 public currentIssuedAt;

    mapping(address signer => OracleRegistration) private _registrations;
    /// @dev The latest issuedAt of a registration carrying each encryption key (listings sealed
    /// to a key stay buyable while it is carried: `encryptionKeyLiveUntil`).
    mapping(bytes32 encryptionKey => uint64 issuedAt) private _keyIssuedAt;

    /// @dev Why a signer may not settle now, or None: the one rule behind `_requireTrustedSigner`
    /// and `isTrustedSigner`, checked in the order the errors are reported.
    enum Distrust {
        None,
        Unknown,
        Revoked,
        Expired,
        MeasurementNotAllowed,
        TcbStatusNotAccepted
    }

    /// @inheritdoc IOracleRegistry
    function registerOracle(
        address signer,
        bytes32 encryptionKey,
        bytes32 instanceId,
        uint64 issuedAt,
        bytes calldata quote
    ) external payable nonReentrant {
        if (signer == address(0)) revert InvalidOracleSigner();
        OracleRegistration storage reg = _registrations[signer];
        if (reg.revoked) revert SignerIsRevoked(signer);
        if (issuedAt > block.timestamp) revert RegistrationFromFuture(issuedAt, block.timestamp);
        uint256 freshUntil = uint256(issuedAt) + freshnessWindow;
        if (block.timestamp > freshUntil) revert RegistrationStale(issuedAt, freshUntil);
        // The TTL may be shorter than the freshness window: refuse what would be born expired.
        uint64 expiresAt = issuedAt + registrationTtl;
        if (expiresAt <= block.timestamp) revert OracleRegistrationExpired(signer, expiresAt);
        uint64 previous = reg.issuedAt;
        if (issuedAt <= previous) revert RegistrationNotNewer(signer, issuedAt, previous);
        (bytes32 measurementId, uint8 tcbStatus) = _verifyQuote(
            quote,
            registrationDigest(signer, encryptionKey, instanceId, issuedAt)
        );

        reg.encryptionKey = encryptionKey;
        reg.measurementId = measurementId;
        reg.issuedAt = issuedAt;
        reg.tcbStatus = tcbStatus;
        reg.measurementEpoch = measurementEpoch;
        reg.instanceId = instanceId;
        if (issuedAt > _keyIssuedAt[encryptionKey]) _keyIssuedAt[encryptionKey] = issuedAt;
        bool current = issuedAt > currentIssuedAt;
        if (current) {
            currentSigner = signer;
            currentIssuedAt = issuedAt;
        }
        emit OracleRegistered(signer, encryptionKey, instanceId, measurementId, issuedAt, tcbStatus, current);
        _returnFee();
    }

    /// @inheritdoc IOracleRegistry
    function revokeSigner(address signer) external onlyOwner {
        if (signer == address(0)) revert ZeroAddress();
        _registrations[signer].revoked = true;
        bool wasCurrent = currentSigner == signer;
        if (wasCurrent) currentSigner = address(0);
        emit SignerRevoked(signer, wasCurrent);
    }

    /// @inheritdoc IOracleRegistry
    function currentOracle()
        external
        view
        returns (address signer, bytes32 encryptionKey, uint64 expiresAt, bytes32 measurementId)
    {
        signer = currentSigner;
        OracleRegistration storage reg = _registrations[signer];
        return (signer, reg.encryptionKey, registrationExpiry(signer), reg.measurementId);
    }

    /// @inheritdoc IOracleRegistry
    function registrationOf(address signer) external view returns (OracleRegistration memory) {
        return _registrations[signer];
    }

    /// @inheritdoc IOracleRegistry
    function registrationExpiry(address signer) public view returns (uint64) {
        uint64 issuedAt = _registrations[signer].issuedAt;
        return issuedAt == 0 ? 0 : issuedAt + registrationTtl;
    }

    /// @inheritdoc IOracleRegistry
    function encryptionKeyLiveUntil(bytes32 encryptionKey) public view returns (uint64) {
        uint64 issuedAt = _keyIssuedAt[encryptionKey];
        return issuedAt == 0 ? 0 : issuedAt + registrationTtl;
    }

    /// @inheritdoc IOracleRegistry
    function registrationDigest(
        address signer,
        bytes32 encryptionKey,
        bytes32 instanceId,
        uint64 issuedAt
    ) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(REGISTRATION_TYPEHASH, signer, encryptionKey, instanceId, issuedAt))
            );
    }

    /// @inheritdoc IOracleRegistry
    function isTrustedSigner(address signer) external view returns (bool) {
        (Distrust why, ) = _trustOf(signer);
        return why == Distrust.None;
    }

    /// @dev Reverts unless `signer` may settle now: registered (UnknownOracle), not revoked
    /// (SignerIsRevoked), not expired under the TTL in force (OracleRegistrationExpired), its
    /// measurement still allowed (MeasurementNotAllowed) and its TCB status still accepted
    /// (TcbStatusNotAccepted).
    function _requireTrustedSigner(address signer) internal view {
        (Distrust why, OracleRegistration storage reg) = _trustOf(signer);
        if (why == Distrust.None) return;
        if (why == Distrust.Unknown) revert UnknownOracle(signer);
        if (why == Distrust.Revoked) revert SignerIsRevoked(signer);
        if (why == Distrust.Expired) revert OracleRegistrationExpired(signer, reg.issuedAt + registrationTtl);
        if (why == Distrust.MeasurementNotAllowed) revert MeasurementNotAllowed(reg.measurementId);
        revert TcbStatusNotAccepted(reg.tcbStatus);
    }

    /// @dev The trust rule's verdict for `signer`, with its registration (for the error's values).
    function _trustOf(address signer) private view returns (Distrust, OracleRegistration storage reg) {
        reg = _registrations[signer];
        uint64 issuedAt = reg.issuedAt;
        if (issuedAt == 0) return (Distrust.Unknown, reg);
        if (reg.revoked) return (Distrust.Revoked, reg);
        if (block.timestamp > issuedAt + registrationTtl) return (Distrust.Expired, reg);
        // An unchanged epoch proves no measurement was disallowed since registration (when the
        // measurement was allowed); otherwise read the allowlist.
        if (reg.measurementEpoch != measurementEpoch && !allowedMeasurements[reg.measurementId]) {
            return (Distrust.MeasurementNotAllowed, reg);
        }
        if (!isTcbStatusAccepted(reg.tcbStatus)) return (Distrust.TcbStatusNotAccepted, reg);
        return (Distrust.None, reg);
    }
}
