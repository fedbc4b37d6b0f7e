// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IDcapAttestation} from "./interfaces/IDcapAttestation.sol";
import {ITrustPolicy} from "./interfaces/ITrustPolicy.sol";
import {DcapOutput} from "./lib/DcapOutput.sol";
import {TdPolicy} from "./lib/TdPolicy.sol";

/// @title TrustPolicy
/// @notice Which TDX quotes DealProof trusts, and the owner's timelocked power over it: the
/// verifier, the measurement allowlist, the accepted TCB statuses, the registration TTL and the
/// freshness window; `_verifyQuote` applies them to a quote.
/// @dev Trust model (DESIGN.md §2): the owner narrows trust at once (disallow a measurement,
/// refuse a TCB status, shorten the TTL or the freshness window; revoking a signer is the
/// registry's) but widens it only through a change scheduled CHANGE_DELAY ahead and announced by
/// `ChangeScheduled`; while one is pending the escrow lets parties leave (`hasPendingChange`,
/// `changeEpoch`, `_lastPendingLapse`). The owner cannot renounce (it would freeze the config).
/// ETH a verifier returns during a call goes back to the caller within that call (`receive`,
/// `_returnFee`).
abstract contract TrustPolicy is ITrustPolicy, Ownable2Step {
    /// @notice A scheduled change as stored.
    struct ScheduledChange {
        ChangeKind kind;
        uint64 readyAt;
        bytes32 value;
    }

    /// @notice Quote version and TD 1.0 body type that settlement accepts.
    uint16 public constant QUOTE_VERSION = 4;
    uint16 public constant TD10_BODY_TYPE = 2;
    /// @notice Highest TCB status value (9 = TDRelaunchAdvisedConfigurationNeeded, DESIGN.md §4).
    uint8 public constant MAX_TCB_STATUS = 9;
    /// @notice Bounds of the registration TTL.
    uint64 public constant MIN_REGISTRATION_TTL = 1 hours;
    uint64 public constant MAX_REGISTRATION_TTL = 90 days;
    /// @notice Bounds of the freshness window (DESIGN.md §2: [1 minute, 1 day]).
    uint32 public constant MIN_FRESHNESS_WINDOW = 1 minutes;
    uint32 public constant MAX_FRESHNESS_WINDOW = 1 days;
    /// @notice Smallest change delay on a public chain, and the largest anywhere.
    uint64 public constant MIN_PUBLIC_CHANGE_DELAY = 2 days;
    uint64 public constant MAX_CHANGE_DELAY = 30 days;
    /// @notice How long after its delay a scheduled change may still be executed.
    uint64 public constant GRACE_PERIOD = 14 days;
    /// @notice How many changes may be pending at once (bounds `hasPendingChange`'s loop).
    uint256 public constant MAX_PENDING_CHANGES = 8;

    /// @inheritdoc ITrustPolicy
    uint64 public immutable CHANGE_DELAY;

    // Storage order is chosen for the hot paths: the last slot below (TCB statuses, epoch) has
    // room left for OracleRegistry's `currentSigner`, which registerOracle writes beside the epoch
    // it reads. Mappings and the change epoch come first so that nothing else packs into it.
    /// @inheritdoc ITrustPolicy
    /// @dev Its own slot: only cancelChange, executeChange and the buyer's cancellation read it.
    uint64 public changeEpoch;
    /// @inheritdoc ITrustPolicy
    mapping(bytes32 measurementId => bool allowed) public allowedMeasurements;
    mapping(bytes32 changeId => ScheduledChange) private _changes;
    bytes32[] private _scheduled;
    // slot: the verifier (read by the quote paths), the TTL and the window
    /// @inheritdoc ITrustPolicy
    IDcapAttestation public verifier;
    /// @inheritdoc ITrustPolicy
    uint64 public registrationTtl;
    /// @inheritdoc ITrustPolicy
    uint32 public freshnessWindow;
    // slot: what a signature settlement reads besides the deal and the registration
    /// @inheritdoc ITrustPolicy
    uint16 public acceptedTcbStatuses = 1;
    /// @inheritdoc ITrustPolicy
    uint64 public measurementEpoch;

    /// @dev The verifier while DealProof is calling it (the only sender whose ETH is taken).
    address private transient _feeSource;
    /// @dev ETH the verifier returned during the current call.
    uint256 private transient _feeReturned;

    /// @param initialOwner Owner (two-step transfer; renouncing is disabled).
    /// @param verifier_ The DCAP verifier (Automata's on public chains, SimulatedDcapVerifier locally).
    /// @param registrationTtl_ Lifetime of a registration after its issuedAt, in seconds.
    /// @param freshnessWindow_ How old a registration's issuedAt may be when submitted, in seconds.
    /// @param changeDelay Delay of widening changes: ≥ 2 days unless the chain id is 31337 or 1337.
    /// @param initialMeasurements Measurement ids allowed from the start (no deal exists yet).
    constructor(
        address initialOwner,
        IDcapAttestation verifier_,
        uint64 registrationTtl_,
        uint32 freshnessWindow_,
        uint64 changeDelay,
        bytes32[] memory initialMeasurements
    ) Ownable(initialOwner) {
        if (address(verifier_) == address(0)) revert ZeroAddress();
        _checkTtl(registrationTtl_);
        _checkFreshnessWindow(freshnessWindow_);
        bool local = block.chainid == 31337 || block.chainid == 1337;
        if (changeDelay > MAX_CHANGE_DELAY || (!local && changeDelay < MIN_PUBLIC_CHANGE_DELAY)) {
            revert InvalidChangeDelay(changeDelay, block.chainid);
        }
        CHANGE_DELAY = changeDelay;
        verifier = verifier_;
        registrationTtl = registrationTtl_;
        freshnessWindow = freshnessWindow_;
        emit VerifierUpdated(address(0), address(verifier_));
        emit RegistrationTtlUpdated(registrationTtl_);
        emit FreshnessWindowUpdated(freshnessWindow_);
        emit TcbStatusAccepted(0, true);
        for (uint256 i = 0; i < initialMeasurements.length; ++i) {
            allowedMeasurements[initialMeasurements[i]] = true;
            emit MeasurementAllowed(initialMeasurements[i], true);
        }
    }

    /// @notice Takes ETH only from the verifier while DealProof is calling it (a returned fee,
    /// passed on to the caller); refuses every other transfer.
    ///
    /// Requirements: the sender is the verifier, during DealProof's call to it (UnexpectedEther).
    ///
    /// Emits: nothing (the call that ends passes the fee on, with FeeRefunded).
    // The check is what refuses stray ETH, so this receive cannot be "simple".
    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        if (msg.sender != _feeSource) revert UnexpectedEther(msg.sender, msg.value);
        _feeReturned += msg.value;
    }

    // ───────────────────────────── owner: narrowing, immediate ─────────────────────────────

    /// @inheritdoc ITrustPolicy
    function disallowMeasurement(bytes32 measurementId) external onlyOwner {
        allowedMeasurements[measurementId] = false;
        ++measurementEpoch;
        emit MeasurementAllowed(measurementId, false);
    }

    /// @inheritdoc ITrustPolicy
    function refuseTcbStatus(uint8 status) external onlyOwner {
        _checkTcbStatus(status);
        acceptedTcbStatuses &= ~uint16(1 << status);
        emit TcbStatusAccepted(status, false);
    }

    /// @inheritdoc ITrustPolicy
    function shortenRegistrationTtl(uint64 ttl) external onlyOwner {
        _checkTtl(ttl);
        if (ttl >= registrationTtl) revert NotNarrowing(registrationTtl, ttl);
        registrationTtl = ttl;
        emit RegistrationTtlUpdated(ttl);
    }

    /// @inheritdoc ITrustPolicy
    function shortenFreshnessWindow(uint32 window) external onlyOwner {
        _checkFreshnessWindow(window);
        if (window >= freshnessWindow) revert NotNarrowing(freshnessWindow, window);
        freshnessWindow = window;
        emit FreshnessWindowUpdated(window);
    }

    /// @inheritdoc ITrustPolicy
    function cancelChange(bytes32 changeId) external onlyOwner {
        if (_changes[changeId].readyAt == 0) revert ChangeNotScheduled(changeId);
        _unschedule(changeId);
        // the buyers' cancel requests lapse with it (they may ask again under another change)
        ++changeEpoch;
        emit ChangeCancelled(changeId);
    }

    /// @notice Always reverts: renouncing would freeze the configuration (no narrowing either).
    ///
    /// Requirements: the caller is the owner (OwnableUnauthorizedAccount); then RenounceDisabled.
    ///
    /// Emits: nothing.
    function renounceOwnership() public view override onlyOwner {
        revert RenounceDisabled();
    }

    // ───────────────────────────── owner: widening, scheduled ─────────────────────────────

    /// @inheritdoc ITrustPolicy
    function scheduleChange(ChangeKind kind, bytes32 value) external onlyOwner returns (bytes32 changeId) {
        _checkWidening(kind, value);
        changeId = changeIdFor(kind, value);
        // Prune first: a lapsed change no longer counts as scheduled, so it may be scheduled anew.
        _pruneLapsed();
        if (_changes[changeId].readyAt != 0) revert ChangeAlreadyPending(changeId);
        if (_scheduled.length >= MAX_PENDING_CHANGES) revert TooManyPendingChanges();
        // readyAt is never 0 (block.timestamp > 0), which marks "not scheduled".
        uint64 readyAt = uint64(block.timestamp) + CHANGE_DELAY;
        _changes[changeId] = ScheduledChange(kind, readyAt, value);
        _scheduled.push(changeId);
        emit ChangeScheduled(changeId, kind, value, readyAt, readyAt + GRACE_PERIOD);
    }

    /// @inheritdoc ITrustPolicy
    function executeChange(bytes32 changeId) external onlyOwner {
        ScheduledChange memory c = _changes[changeId];
        if (c.readyAt == 0) revert ChangeNotScheduled(changeId);
        if (block.timestamp < c.readyAt) revert ChangeNotReady(changeId, c.readyAt);
        uint64 lapsesAt = c.readyAt + GRACE_PERIOD;
        if (block.timestamp > lapsesAt) revert ChangeLapsed(changeId, lapsesAt);
        // Another change may have applied since (a longer TTL, say): one that no longer widens
        // is refused, and the owner cancels it.
        _checkWidening(c.kind, c.value);
        _unschedule(changeId);
        // the window it opened is over: requests made under it lapse
        ++changeEpoch;
        emit ChangeExecuted(changeId);
        _apply(c.kind, c.value);
    }

    // ───────────────────────────── views ─────────────────────────────

    /// @inheritdoc ITrustPolicy
    function changeIdFor(ChangeKind kind, bytes32 value) public pure returns (bytes32) {
        return keccak256(abi.encode(kind, value));
    }

    /// @inheritdoc ITrustPolicy
    function hasPendingChange() public view returns (bool) {
        uint256 n = _scheduled.length;
        for (uint256 i = 0; i < n; ++i) {
            if (block.timestamp <= _changes[_scheduled[i]].readyAt + GRACE_PERIOD) return true;
        }
        return false;
    }

    /// @inheritdoc ITrustPolicy
    function pendingChanges() external view returns (PendingChange[] memory changes) {
        uint256 n = _scheduled.length;
        PendingChange[] memory all = new PendingChange[](n);
        uint256 k = 0;
        for (uint256 i = 0; i < n; ++i) {
            bytes32 id = _scheduled[i];
            ScheduledChange storage c = _changes[id];
            uint64 lapsesAt = c.readyAt + GRACE_PERIOD;
            if (block.timestamp <= lapsesAt)
                all[k++] = PendingChange(id, c.kind, c.value, c.readyAt, lapsesAt);
        }
        changes = new PendingChange[](k);
        for (uint256 i = 0; i < k; ++i) changes[i] = all[i];
    }

    /// @inheritdoc ITrustPolicy
    function isTcbStatusAccepted(uint8 status) public view returns (bool) {
        return status <= MAX_TCB_STATUS && (acceptedTcbStatuses >> status) & 1 == 1;
    }

    // ───────────────────────────── internal: for the other parts ─────────────────────────────

    /// @dev The last second at which a change pending now may still be executed (0: none is
    /// pending): a buyer's cancel request lives no longer.
    function _lastPendingLapse() internal view returns (uint64 lastLapse) {
        uint256 n = _scheduled.length;
        for (uint256 i = 0; i < n; ++i) {
            uint64 lapse = _changes[_scheduled[i]].readyAt + GRACE_PERIOD;
            if (lapse >= block.timestamp && lapse > lastLapse) lastLapse = lapse;
        }
    }

    /// @dev Sends the quote to the verifier (with msg.value as its fee; ETH it sends back during
    /// the call is counted for `_returnFee`) and applies the policy to its output. Returns the
    /// quote's measurement id and TCB status. Callers are nonReentrant.
    function _verifyQuote(bytes calldata quote, bytes32 digest) internal returns (bytes32, uint8) {
        IDcapAttestation v_ = verifier;
        _feeSource = address(v_);
        (bool ok, bytes memory output) = v_.verifyAndAttestOnChain{value: msg.value}(quote);
        _feeSource = address(0);
        if (!ok) revert VerifierRejected(output);
        DcapOutput.Verified memory v = DcapOutput.parse(output);
        if (v.version != QUOTE_VERSION || v.bodyType != TD10_BODY_TYPE)
            revert UnsupportedQuote(v.version, v.bodyType);
        if (!isTcbStatusAccepted(v.tcbStatus)) revert TcbStatusNotAccepted(v.tcbStatus);
        if (!TdPolicy.isTrusted(v.tdAttributes)) revert TdAttributesRejected(v.tdAttributes);
        if (!allowedMeasurements[v.measurementId]) revert MeasurementNotAllowed(v.measurementId);
        if (v.reportDataLow != digest || v.reportDataHigh != bytes32(0)) {
            revert ReportDataMismatch(digest, v.reportDataLow, v.reportDataHigh);
        }
        return (v.measurementId, v.tcbStatus);
    }

    /// @dev Sends what the verifier returned during this call back to the caller (last step).
    function _returnFee() internal {
        uint256 amount = _feeReturned;
        if (amount == 0) return;
        _feeReturned = 0;
        emit FeeRefunded(msg.sender, amount);
        (bool ok, ) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert FeeRefundFailed(msg.sender, amount);
    }

    // ───────────────────────────── internal: own ─────────────────────────────

    function _checkTtl(uint64 ttl) private pure {
        if (ttl < MIN_REGISTRATION_TTL || ttl > MAX_REGISTRATION_TTL) revert InvalidRegistrationTtl(ttl);
    }

    function _checkFreshnessWindow(uint64 window) private pure {
        if (window < MIN_FRESHNESS_WINDOW || window > MAX_FRESHNESS_WINDOW)
            revert InvalidFreshnessWindow(window);
    }

    function _checkTcbStatus(uint256 status) private pure {
        if (status > MAX_TCB_STATUS) revert InvalidTcbStatus(status);
    }

    /// @dev Reverts unless `value` is valid for `kind` and widens trust compared with now (a
    /// no-op would open the cancel window for nothing).
    function _checkWidening(ChangeKind kind, bytes32 value) private view {
        uint256 v = uint256(value);
        if (kind == ChangeKind.SetVerifier) {
            if (v > type(uint160).max) revert InvalidChangeValue(kind, value);
            if (v == 0) revert ZeroAddress();
            if (v == uint160(address(verifier))) revert ChangeDoesNotWiden(kind, value);
        } else if (kind == ChangeKind.AllowMeasurement) {
            if (allowedMeasurements[value]) revert ChangeDoesNotWiden(kind, value);
        } else if (kind == ChangeKind.AcceptTcbStatus) {
            _checkTcbStatus(v);
            if (isTcbStatusAccepted(uint8(v))) revert ChangeDoesNotWiden(kind, value);
        } else if (kind == ChangeKind.LengthenRegistrationTtl) {
            if (v > MAX_REGISTRATION_TTL) revert InvalidRegistrationTtl(uint64(v % (1 << 64)));
            if (v <= registrationTtl) revert NotWidening(registrationTtl, v);
        } else if (kind == ChangeKind.LengthenFreshnessWindow) {
            if (v > MAX_FRESHNESS_WINDOW) revert InvalidFreshnessWindow(uint64(v % (1 << 64)));
            if (v <= freshnessWindow) revert NotWidening(freshnessWindow, v);
        }
    }

    /// @dev Applies an executed change (validated by `_checkWidening` when scheduled and again when executed).
    function _apply(ChangeKind kind, bytes32 value) private {
        if (kind == ChangeKind.SetVerifier) {
            address newVerifier = address(uint160(uint256(value)));
            emit VerifierUpdated(address(verifier), newVerifier);
            verifier = IDcapAttestation(newVerifier);
        } else if (kind == ChangeKind.AllowMeasurement) {
            allowedMeasurements[value] = true;
            emit MeasurementAllowed(value, true);
        } else if (kind == ChangeKind.AcceptTcbStatus) {
            uint8 status = uint8(uint256(value));
            acceptedTcbStatuses |= uint16(1 << status);
            emit TcbStatusAccepted(status, true);
        } else if (kind == ChangeKind.LengthenRegistrationTtl) {
            registrationTtl = uint64(uint256(value));
            emit RegistrationTtlUpdated(registrationTtl);
        } else {
            freshnessWindow = uint32(uint256(value));
            emit FreshnessWindowUpdated(freshnessWindow);
        }
    }

    /// @dev Removes a change from the schedule (swap and pop; order does not matter).
    function _unschedule(bytes32 changeId) private {
        delete _changes[changeId];
        uint256 n = _scheduled.length;
        for (uint256 i = 0; i < n; ++i) {
            if (_scheduled[i] == changeId) {
                _scheduled[i] = _scheduled[n - 1];
                _scheduled.pop();
                return;
            }
        }
    }

    /// @dev Drops lapsed changes so they do not take room (they can no longer be executed).
    function _pruneLapsed() private {
        uint256 i = 0;
        while (i < _scheduled.length) {
            bytes32 id = _scheduled[i];
            if (block.timestamp > _changes[id].readyAt + GRACE_PERIOD) _unschedule(id);
            else ++i;
        }
    }
}
