// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

/// @title IOracleRegistry
/// @notice The enclave keys DealProof knows (DESIGN.md §2, §12): an enclave registers its signing
/// address, HPKE key and instance id with a TDX quote over an `OracleRegistration` digest; dapps seal inputs to
/// `currentOracle()`; a registered, unrevoked, unexpired signer whose measurement and TCB status
/// are still trusted may settle by signature; the owner may revoke a signer at once and for good.
/// @dev Implemented by the abstract contract OracleRegistry. The quote checks (VerifierRejected,
/// VerifierOutputTooShort, UnsupportedQuote, TcbStatusNotAccepted, TdAttributesRejected,
/// MeasurementNotAllowed, ReportDataMismatch), FeeRefundFailed, FeeRefunded and ZeroAddress are
/// the trust policy's (ITrustPolicy).
interface IOracleRegistry {
    // ───────────────────────────── types ─────────────────────────────

    /// @notice An enclave key attested by a registration quote, as stored.
    struct OracleRegistration {
        /// The enclave's X25519 HPKE public key.
        bytes32 encryptionKey;
        /// The registration quote's measurement id (re-checked against the allowlist on use).
        bytes32 measurementId;
        /// When the enclave issued the registration (inside the attested digest); 0: never registered.
        uint64 issuedAt;
        /// The registration quote's TCB status (re-checked against the accepted set on use).
        uint8 tcbStatus;
        /// Revoked by the owner: for good, the signer can neither settle nor register again.
        bool revoked;
        /// `measurementEpoch` when registered: if unchanged, no measurement was disallowed since.
        uint64 measurementEpoch;
        /// The TEE instance (replica) the signer belongs to: dstack's instance id, left-aligned.
        bytes32 instanceId;
    }

    // ───────────────────────────── events ─────────────────────────────

    /// @notice An enclave key was registered (or renewed).
    /// @param signer The enclave's secp256k1 address.
    /// @param encryptionKey Its X25519 HPKE public key.
    /// @param instanceId The TEE instance (replica) the signer belongs to.
    /// @param measurementId The registration quote's measurement id.
    /// @param issuedAt When the enclave issued the registration.
    /// @param tcbStatus The registration quote's TCB status.
    /// @param current Whether it became `currentSigner`.
    event OracleRegistered(
        address indexed signer,
        bytes32 encryptionKey,
        bytes32 instanceId,
        bytes32 indexed measurementId,
        uint64 issuedAt,
        uint8 tcbStatus,
        bool current
    );

    /// @notice The owner revoked a signer, for good.
    /// @param signer The revoked address.
    /// @param wasCurrent Whether it was `currentSigner` (which is now the zero address).
    event SignerRevoked(address indexed signer, bool wasCurrent);

    // ───────────────────────────── errors ─────────────────────────────

    /// @notice settleWithSignature: the signature recovers to an address never registered.
    /// @param signer It.
    error UnknownOracle(address signer);
    /// @notice settleWithSignature: the signer's registration is older than the TTL in force;
    /// registerOracle: the registration would be expired on arrival.
    /// @param signer The signer.
    /// @param expiresAt issuedAt + registrationTtl.
    error OracleRegistrationExpired(address signer, uint64 expiresAt);
    /// @notice The signer was revoked by the owner.
    /// @param signer It.
    error SignerIsRevoked(address signer);
    /// @notice registerOracle: the signer is the zero address.
    error InvalidOracleSigner();
    /// @notice registerOracle: issuedAt lies in the future.
    /// @param issuedAt It.
    /// @param now block.timestamp.
    error RegistrationFromFuture(uint64 issuedAt, uint256 now);
    /// @notice registerOracle: issuedAt is older than the freshness window.
    /// @param issuedAt It.
    /// @param freshUntil issuedAt + freshnessWindow (already past).
    error RegistrationStale(uint64 issuedAt, uint256 freshUntil);
    /// @notice registerOracle: issuedAt is not newer than the signer's registration.
    /// @param signer The signer.
    /// @param issuedAt The one given.
    /// @param previous The stored one.
    error RegistrationNotNewer(address signer, uint64 issuedAt, uint64 previous);

    // ───────────────────────────── functions ─────────────────────────────

    /// @notice Registers (or renews) an enclave's signing address and HPKE key, for the TEE
    /// instance `instanceId`, with a quote whose report_data is the
    /// `OracleRegistration(signer, encryptionKey, instanceId, issuedAt)` digest followed by 32 zero
    /// bytes. Anyone may submit. Replicas of one app each register their own signer (one per
    /// instance) and share the app's encryption key. The registration becomes `currentSigner` only if newer
    /// than `currentIssuedAt`, which a revocation keeps (so after revoking, only a registration
    /// newer than the revoked one becomes current). `msg.value` goes to the verifier as its fee;
    /// whatever it returns during the call goes back to the caller.
    ///
    /// Requirements: signer ≠ 0 (InvalidOracleSigner) and not revoked (SignerIsRevoked);
    /// issuedAt not in the future (RegistrationFromFuture), within the freshness window
    /// (RegistrationStale), not expired already — issuedAt + registrationTtl > now, the TTL may be
    /// shorter than the window (OracleRegistrationExpired) — and newer than the signer's
    /// registration (RegistrationNotNewer); the quote passes the trust policy (VerifierRejected,
    /// VerifierOutputTooShort, UnsupportedQuote, TcbStatusNotAccepted, TdAttributesRejected,
    /// MeasurementNotAllowed, ReportDataMismatch); a returned fee reaches the caller
    /// (FeeRefundFailed); not reentered (ReentrancyGuardReentrantCall).
    ///
    /// Emits: OracleRegistered, then FeeRefunded if the verifier returned ETH.
    /// @param signer The enclave's secp256k1 address.
    /// @param encryptionKey The enclave's X25519 HPKE public key.
    /// @param instanceId The TEE instance (replica) the signer belongs to.
    /// @param issuedAt Unix time the enclave issued the registration.
    /// @param quote The raw registration quote.
    function registerOracle(
        address signer,
        bytes32 encryptionKey,
        bytes32 instanceId,
        uint64 issuedAt,
        bytes calldata quote
    ) external payable;

    /// @notice Revokes a signer for good (it can neither settle nor register again); if it was
    /// `currentSigner`, that becomes the zero address. Immediate, like every narrowing of trust.
    ///
    /// Requirements: the caller is the owner (OwnableUnauthorizedAccount); signer ≠ 0 (ZeroAddress).
    ///
    /// Emits: SignerRevoked(signer, wasCurrent).
    /// @param signer The signer.
    function revokeSigner(address signer) external;

    /// @notice The current registration: the key dapps seal inputs to.
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @return signer The oracle's address (zero when none, or when it was revoked).
    /// @return encryptionKey Its HPKE public key.
    /// @return expiresAt issuedAt + the TTL in force (0 when none).
    /// @return measurementId The attested enclave measurement.
    function currentOracle()
        external
        view
        returns (address signer, bytes32 encryptionKey, uint64 expiresAt, bytes32 measurementId);

    /// @notice A signer's registration as stored (issuedAt 0: never registered).
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @param signer The signer.
    /// @return The registration.
    function registrationOf(address signer) external view returns (OracleRegistration memory);

    /// @notice Whether `signer` may settle now: the rule settleWithSignature applies (registered,
    /// not revoked, unexpired under the TTL in force, its measurement still allowed, its TCB
    /// status still accepted), as a view, so replicas and dapps read the contract's own rule.
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @param signer The signer.
    /// @return True exactly when settleWithSignature would accept a signature by `signer` now.
    function isTrustedSigner(address signer) external view returns (bool);

    /// @notice When `signer`'s registration lapses with the TTL in force (0: never registered).
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @param signer The signer.
    /// @return issuedAt + registrationTtl.
    function registrationExpiry(address signer) external view returns (uint64);

    /// @notice Until when an encryption key is carried by a registration: the latest issuedAt of
    /// a registration naming `encryptionKey`, plus the TTL in force (so shortening the TTL
    /// shortens it at once, like `registrationExpiry`). A listing sealed to a key past this time
    /// reports RepublishNeeded and cannot be bought (IListingRegistry).
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @param encryptionKey The HPKE public key.
    /// @return The latest issuedAt of a registration carrying it + registrationTtl (0: never registered).
    function encryptionKeyLiveUntil(bytes32 encryptionKey) external view returns (uint64);

    /// @notice EIP-712 digest of `OracleRegistration(signer, encryptionKey, instanceId, issuedAt)`
    /// (report_data[0:32] of a registration quote).
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @param signer The enclave's address.
    /// @param encryptionKey The enclave's HPKE public key.
    /// @param instanceId The TEE instance (replica) the signer belongs to.
    /// @param issuedAt When the enclave issued it.
    /// @return The digest.
    function registrationDigest(
        address signer,
        bytes32 encryptionKey,
        bytes32 instanceId,
        uint64 issuedAt
    ) external view returns (bytes32);

    /// @notice The latest registered signer (zero when none or revoked).
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @return The signer.
    function currentSigner() external view returns (address);

    /// @notice issuedAt of the latest registration that became current. A revocation keeps it, so
    /// `currentSigner` never moves back to an older registration: after a revocation only a
    /// registration newer than the revoked one becomes current.
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @return Unix time.
    function currentIssuedAt() external view returns (uint64);
}
