// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {IDcapAttestation} from "./IDcapAttestation.sol";

/// @title ITrustPolicy
/// @notice Which TDX quotes DealProof trusts, and how the owner may change that (DESIGN.md §2, §4):
/// the DCAP verifier, the allowed measurement ids, the accepted TCB statuses, the registration
/// TTL and freshness window. Narrowing trust is immediate; widening it is scheduled CHANGE_DELAY
/// ahead, announced by `ChangeScheduled`, executable for GRACE_PERIOD, and cancellable.
/// @dev Implemented by the abstract contract TrustPolicy. Ownership is OpenZeppelin's
/// Ownable2Step (not repeated here), except that `renounceOwnership` always reverts with
/// `RenounceDisabled`. Every owner function reverts `OwnableUnauthorizedAccount(caller)` for
/// anyone else.
interface ITrustPolicy {
    // ───────────────────────────── types ─────────────────────────────

    /// @notice The kinds of owner change that widen trust, and so are scheduled (DESIGN.md §2).
    /// The change's `value` is: SetVerifier, the verifier address (left-padded); AllowMeasurement,
    /// the measurement id; AcceptTcbStatus, the status (0–9); LengthenRegistrationTtl and
    /// LengthenFreshnessWindow, the new number of seconds.
    enum ChangeKind {
        SetVerifier,
        AllowMeasurement,
        AcceptTcbStatus,
        LengthenRegistrationTtl,
        LengthenFreshnessWindow
    }

    /// @notice A scheduled widening change.
    struct PendingChange {
        bytes32 changeId;
        ChangeKind kind;
        bytes32 value;
        /// First second at which the owner may execute it.
        uint64 readyAt;
        /// Last second at which it may be executed; after it the change has lapsed.
        uint64 lapsesAt;
    }

    // ───────────────────────────── events ─────────────────────────────

    /// @notice A measurement id was allowed (executed change) or disallowed (immediate).
    /// @param measurementId The id.
    /// @param allowed The new state.
    event MeasurementAllowed(bytes32 indexed measurementId, bool allowed);

    /// @notice A TCB status was accepted (executed change) or refused (immediate).
    /// @param status 0–9.
    /// @param accepted The new state.
    event TcbStatusAccepted(uint8 indexed status, bool accepted);

    /// @notice The verifier changed (at deployment, or by an executed change).
    /// @param previous The old verifier (zero at deployment).
    /// @param verifier The new verifier.
    event VerifierUpdated(address indexed previous, address indexed verifier);

    /// @notice The registration TTL changed.
    /// @param ttl Seconds.
    event RegistrationTtlUpdated(uint64 ttl);

    /// @notice The registration freshness window changed.
    /// @param window Seconds.
    event FreshnessWindowUpdated(uint32 window);

    /// @notice The owner scheduled a widening change: the announcement parties watch.
    /// @param changeId `changeIdFor(kind, value)`.
    /// @param kind What it changes.
    /// @param value The new value (see ChangeKind).
    /// @param readyAt First second it may be executed.
    /// @param lapsesAt Last second it may be executed.
    event ChangeScheduled(
        bytes32 indexed changeId,
        ChangeKind kind,
        bytes32 value,
        uint64 readyAt,
        uint64 lapsesAt
    );

    /// @notice The owner executed a scheduled change (the matching update event follows).
    /// @param changeId The change.
    event ChangeExecuted(bytes32 indexed changeId);

    /// @notice The owner cancelled a scheduled change.
    /// @param changeId The change.
    event ChangeCancelled(bytes32 indexed changeId);

    /// @notice ETH the verifier returned during a call (an overpaid fee) went back to the submitter.
    /// @param to The submitter (msg.sender).
    /// @param amount Wei returned.
    event FeeRefunded(address indexed to, uint256 amount);

    // ───────────────────────────── errors: quotes ─────────────────────────────

    /// @notice The verifier returned (false, reason).
    /// @param reason Its reason bytes.
    error VerifierRejected(bytes reason);
    /// @notice The verified quote is not a v4 TD 1.0 quote.
    /// @param version Its version.
    /// @param bodyType Its body type.
    error UnsupportedQuote(uint16 version, uint16 bodyType);
    /// @notice The quote's (or a registration's) TCB status is not accepted.
    /// @param status The status.
    error TcbStatusNotAccepted(uint8 status);
    /// @notice The quote's (or a registration's) measurement id is not allowed.
    /// @param measurementId The id.
    error MeasurementNotAllowed(bytes32 measurementId);
    /// @notice The quote's TD attributes break DESIGN.md §4's policy (DEBUG, SEPT_VE_DISABLE clear,
    /// reserved bits).
    /// @param tdAttributes The 8 bytes as they appear in the report.
    error TdAttributesRejected(bytes8 tdAttributes);
    /// @notice report_data is not digest ‖ 32 zero bytes.
    /// @param expectedDigest The digest.
    /// @param low report_data[0:32].
    /// @param high report_data[32:64].
    error ReportDataMismatch(bytes32 expectedDigest, bytes32 low, bytes32 high);
    /// @notice The verifier's returned fee could not be sent to the submitter.
    /// @param to It.
    /// @param amount Wei.
    error FeeRefundFailed(address to, uint256 amount);
    /// @notice ETH arrived outside a verifier call (plain transfers are refused).
    /// @param from The sender.
    /// @param amount Wei.
    error UnexpectedEther(address from, uint256 amount);

    // ───────────────────────────── errors: the owner's changes ─────────────────────────────

    /// @notice A zero address where one is required (verifier, withdrawTo recipient, revoked
    /// signer): declared here once, for every part of DealProof.
    error ZeroAddress();
    /// @notice A registration TTL outside [MIN_REGISTRATION_TTL, MAX_REGISTRATION_TTL].
    /// @param ttl It.
    error InvalidRegistrationTtl(uint64 ttl);
    /// @notice A freshness window outside [MIN_FRESHNESS_WINDOW, MAX_FRESHNESS_WINDOW].
    /// @param window It.
    error InvalidFreshnessWindow(uint64 window);
    /// @notice A TCB status above MAX_TCB_STATUS.
    /// @param status It.
    error InvalidTcbStatus(uint256 status);
    /// @notice constructor: a change delay below 2 days on a non-local chain, or above 30 days.
    /// @param delay The delay given.
    /// @param chainId The chain.
    error InvalidChangeDelay(uint64 delay, uint256 chainId);
    /// @notice An immediate change that would widen trust, or a scheduled one that would not.
    /// @param current The value in force.
    /// @param requested The value asked for.
    error NotNarrowing(uint256 current, uint256 requested);
    /// @notice scheduleChange/executeChange: a TTL or freshness window not longer than the one in force.
    /// @param current In force.
    /// @param requested Asked for.
    error NotWidening(uint256 current, uint256 requested);
    /// @notice scheduleChange: this change is already pending.
    /// @param changeId It.
    error ChangeAlreadyPending(bytes32 changeId);
    /// @notice scheduleChange: MAX_PENDING_CHANGES are pending.
    error TooManyPendingChanges();
    /// @notice executeChange/cancelChange: no such scheduled change.
    /// @param changeId It.
    error ChangeNotScheduled(bytes32 changeId);
    /// @notice executeChange before the delay.
    /// @param changeId It.
    /// @param readyAt When it may run.
    error ChangeNotReady(bytes32 changeId, uint64 readyAt);
    /// @notice executeChange after the grace period.
    /// @param changeId It.
    /// @param lapsedAt When it lapsed.
    error ChangeLapsed(bytes32 changeId, uint64 lapsedAt);
    /// @notice scheduleChange/executeChange: the change would not change anything (the verifier
    /// already in force, an allowed measurement, an accepted TCB status).
    /// @param kind What it changes.
    /// @param value The value asked for.
    error ChangeDoesNotWiden(ChangeKind kind, bytes32 value);
    /// @notice scheduleChange: the value cannot encode the kind's type (a verifier above 160 bits).
    /// @param kind What it changes.
    /// @param value The value asked for.
    error InvalidChangeValue(ChangeKind kind, bytes32 value);
    /// @notice renounceOwnership is disabled (it would freeze the configuration).
    error RenounceDisabled();

    // ───────────────────────────── owner: narrowing trust, immediate ─────────────────────────────

    /// @notice Disallows a measurement id: its quotes and its signers' registrations stop at once
    /// (`measurementEpoch` moves, so every registration's measurement is read again on use).
    ///
    /// Requirements: the caller is the owner (OwnableUnauthorizedAccount).
    ///
    /// Emits: MeasurementAllowed(measurementId, false).
    /// @param measurementId The id.
    function disallowMeasurement(bytes32 measurementId) external;

    /// @notice Refuses a TCB status: its quotes and registrations stop at once.
    ///
    /// Requirements: the caller is the owner (OwnableUnauthorizedAccount); status ≤
    /// MAX_TCB_STATUS (InvalidTcbStatus).
    ///
    /// Emits: TcbStatusAccepted(status, false).
    /// @param status 0–9.
    function refuseTcbStatus(uint8 status) external;

    /// @notice Shortens the registration TTL (existing registrations too, at once).
    ///
    /// Requirements: the caller is the owner (OwnableUnauthorizedAccount); ttl within the bounds
    /// (InvalidRegistrationTtl) and shorter than the TTL in force (NotNarrowing).
    ///
    /// Emits: RegistrationTtlUpdated(ttl).
    /// @param ttl Seconds, shorter than the current TTL.
    function shortenRegistrationTtl(uint64 ttl) external;

    /// @notice Shortens the freshness window.
    ///
    /// Requirements: the caller is the owner (OwnableUnauthorizedAccount); window within the
    /// bounds (InvalidFreshnessWindow) and shorter than the window in force (NotNarrowing).
    ///
    /// Emits: FreshnessWindowUpdated(window).
    /// @param window Seconds, shorter than the current window.
    function shortenFreshnessWindow(uint32 window) external;

    /// @notice Cancels a scheduled change. The buyers' cancel requests made under it lapse
    /// (`changeEpoch` moves; they may ask again under a change still pending).
    ///
    /// Requirements: the caller is the owner (OwnableUnauthorizedAccount); the change is
    /// scheduled (ChangeNotScheduled).
    ///
    /// Emits: ChangeCancelled(changeId).
    /// @param changeId The change.
    function cancelChange(bytes32 changeId) external;

    // ───────────────────────────── owner: widening trust, scheduled ─────────────────────────────

    /// @notice Schedules a widening change, executable from now + CHANGE_DELAY for GRACE_PERIOD.
    /// Lapsed changes are pruned first, so a lapsed change may be scheduled again. A change that
    /// would change nothing is refused, since it would open the parties' cancel window for nothing.
    ///
    /// Requirements: the caller is the owner (OwnableUnauthorizedAccount); the value is valid for
    /// its kind — a nonzero verifier (ZeroAddress) of at most 160 bits (InvalidChangeValue), a
    /// TCB status ≤ 9 (InvalidTcbStatus), a TTL or window within the bounds
    /// (InvalidRegistrationTtl, InvalidFreshnessWindow); it widens trust — a TTL or window longer
    /// than the one in force (NotWidening), not the verifier in force, an allowed measurement or
    /// an accepted status (ChangeDoesNotWiden); it is not pending already (ChangeAlreadyPending);
    /// fewer than MAX_PENDING_CHANGES are pending (TooManyPendingChanges).
    ///
    /// Emits: ChangeScheduled(changeId, kind, value, readyAt, lapsesAt).
    /// @param kind What it changes.
    /// @param value The new value (see ChangeKind).
    /// @return changeId `changeIdFor(kind, value)`.
    function scheduleChange(ChangeKind kind, bytes32 value) external returns (bytes32 changeId);

    /// @notice Executes a scheduled change once its delay has passed and before it lapses. It is
    /// checked again to still widen trust (another change may have applied since, e.g. a longer
    /// TTL); if it no longer does, it reverts and the owner cancels it. The buyers' cancel
    /// requests lapse (`changeEpoch` moves).
    ///
    /// Requirements: the caller is the owner (OwnableUnauthorizedAccount); the change is
    /// scheduled (ChangeNotScheduled), ready (ChangeNotReady) and not lapsed (ChangeLapsed); it
    /// still widens trust (NotWidening, ChangeDoesNotWiden).
    ///
    /// Emits: ChangeExecuted(changeId), then the change's own event: VerifierUpdated,
    /// MeasurementAllowed(id, true), TcbStatusAccepted(status, true), RegistrationTtlUpdated or
    /// FreshnessWindowUpdated.
    /// @param changeId The change.
    function executeChange(bytes32 changeId) external;

    // ───────────────────────────── views ─────────────────────────────

    /// @notice The id of a change: keccak256(abi.encode(kind, value)).
    ///
    /// Requirements: none (pure). Emits: nothing.
    /// @param kind What it changes.
    /// @param value The new value.
    /// @return The id.
    function changeIdFor(ChangeKind kind, bytes32 value) external pure returns (bytes32);

    /// @notice Whether any scheduled change is pending (neither executed, cancelled nor lapsed).
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @return True while parties may `cancelDeal`.
    function hasPendingChange() external view returns (bool);

    /// @notice The pending changes (lapsed ones left out).
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @return changes Each with its id, kind, value, readyAt and lapsesAt.
    function pendingChanges() external view returns (PendingChange[] memory changes);

    /// @notice Whether TCB status `status` is accepted.
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @param status 0–9 (anything larger: false).
    /// @return True when accepted.
    function isTcbStatusAccepted(uint8 status) external view returns (bool);

    /// @notice The DCAP verifier quotes are sent to.
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @return The verifier.
    function verifier() external view returns (IDcapAttestation);

    /// @notice How long a registration stays valid after its issuedAt.
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @return Seconds.
    function registrationTtl() external view returns (uint64);

    /// @notice How old a registration's issuedAt may be when it is submitted.
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @return Seconds.
    function freshnessWindow() external view returns (uint32);

    /// @notice Bit i set: TCB status i is accepted (default: UpToDate only).
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @return The bit set.
    function acceptedTcbStatuses() external view returns (uint16);

    /// @notice Incremented by every `disallowMeasurement`; registrations remember it so that an
    /// unchanged epoch proves their measurement is still allowed without another storage read.
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @return The epoch.
    function measurementEpoch() external view returns (uint64);

    /// @notice Whether a measurement id is allowed.
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @param measurementId The id.
    /// @return True when allowed.
    function allowedMeasurements(bytes32 measurementId) external view returns (bool);

    /// @notice Delay between scheduling and executing a widening change, fixed at deployment.
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @return Seconds.
    function CHANGE_DELAY() external view returns (uint64);

    /// @notice Counts the owner's cancelled and executed changes; a cancel request made under
    /// another count has lapsed.
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @return The count.
    function changeEpoch() external view returns (uint64);
}
