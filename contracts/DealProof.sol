// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IDcapAttestation} from "./interfaces/IDcapAttestation.sol";
import {IDealProof} from "./interfaces/IDealProof.sol";
import {DcapOutput} from "./lib/DcapOutput.sol";
import {TdPolicy} from "./lib/TdPolicy.sol";

/// @title DealProof
/// @notice Escrow for private data deals negotiated inside an Intel TDX enclave.
/// A buyer escrows ETH and names a seller and a dataset commitment; the seller accepts; an
/// enclave (the oracle) negotiates on the parties' sealed inputs and settles with either a TDX
/// quote verified on-chain by a DCAP verifier, or a signature from an enclave key that was
/// registered with such a quote. Payments are pull-based (`withdraw`).
/// @dev Trust model (DESIGN.md §2): the owner narrows trust at once (disallow a measurement,
/// refuse a TCB status, revoke a signer, shorten the TTL or the freshness window) but widens it
/// only through a change scheduled CHANGE_DELAY ahead and announced by `ChangeScheduled`; while
/// one is pending either party of a live deal may leave with a full refund to the buyer (the
/// buyer of an Accepted deal in two steps, CANCEL_NOTICE apart, so that it cannot front-run a
/// settlement whose delivery it read in the mempool). The owner cannot touch escrow, block
/// refunds or withdrawals, or renounce (freezing the config).
/// Invariants: ETH held = open escrow + unwithdrawn payouts (+ ETH force-sent); ETH a verifier
/// returns during a call goes back to the caller within that call; terminal states are final.
/// Replay protection: every settlement digest binds the deal id and the EIP-712 domain, and a
/// deal settles at most once; a registration binds `issuedAt`, which must be fresh and newer
/// than the signer's last. Gas: a deal lives in two storage slots for its whole life (its id
/// commits to the dataset root); a whole deal settled by signature costs under 250k gas.
contract DealProof is IDealProof, Ownable2Step, EIP712, ReentrancyGuardTransient {
    /// @notice A deal as stored: two slots. The dataset root is not stored: the deal id commits
    /// to it (`dealIdFor`). Once a deal is terminal its deadline is no longer needed, and the
    /// second slot holds the seller's payout instead.
    struct StoredDeal {
        address buyer;
        /// Open/Accepted: the escrow. Settled/Refunded: the buyer's payout not yet withdrawn.
        uint88 buyerAmount;
        DealState state;
        address seller;
        /// Open/Accepted: the deadline. Settled/Refunded: the seller's payout not yet withdrawn.
        uint96 deadlineOrSellerAmount;
    }

    /// @notice A scheduled change as stored.
    struct ScheduledChange {
        ChangeKind kind;
        uint64 readyAt;
        bytes32 value;
    }

    bytes32 private constant SETTLEMENT_TYPEHASH = keccak256(
        "Settlement(uint256 dealId,bool agreed,uint256 price,bytes32 termsHash,bytes32 dataRoot,bytes32 transcriptHash,bytes delivery)"
    );
    bytes32 private constant REGISTRATION_TYPEHASH = keccak256(
        "OracleRegistration(address signer,bytes32 encryptionKey,uint64 issuedAt)"
    );

    /// @notice Largest sealed input accepted, in bytes.
    uint256 public constant MAX_SEALED_INPUT_BYTES = 65_536;
    /// @notice Longest time between creating a deal and its deadline.
    uint64 public constant MAX_DEAL_DURATION = 365 days;
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
    /// @inheritdoc IDealProof
    uint64 public constant CANCEL_WINDOW = 1 days;

    /// @inheritdoc IDealProof
    uint64 public immutable CHANGE_DELAY;
    /// @inheritdoc IDealProof
    uint64 public immutable CANCEL_NOTICE;

    // slot: the verifier (read by the quote paths only)
    /// @inheritdoc IDealProof
    IDcapAttestation public verifier;
    // slot: what a signature settlement reads besides the deal and the registration
    /// @inheritdoc IDealProof
    uint64 public registrationTtl;
    /// @inheritdoc IDealProof
    uint32 public freshnessWindow;
    /// @inheritdoc IDealProof
    uint16 public acceptedTcbStatuses = 1;
    /// @inheritdoc IDealProof
    uint64 public measurementEpoch;
    // slot: the current registration
    /// @inheritdoc IDealProof
    address public currentSigner;
    /// @inheritdoc IDealProof
    uint64 public currentIssuedAt;

    /// @inheritdoc IDealProof
    mapping(bytes32 measurementId => bool allowed) public allowedMeasurements;
    mapping(address signer => OracleRegistration) private _registrations;
    mapping(uint256 dealId => StoredDeal) private _deals;
    mapping(bytes32 changeId => ScheduledChange) private _changes;
    bytes32[] private _scheduled;
    /// @dev Apart from the deal's slots: only the buyer's cancellation of an Accepted deal touches it.
    mapping(uint256 dealId => CancelRequest) private _cancelRequests;
    /// @inheritdoc IDealProof
    /// @dev Its own slot: only cancelChange, executeChange and the buyer's cancellation read it.
    uint64 public changeEpoch;

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
    ) Ownable(initialOwner) EIP712("DealProof", "1") {
        if (address(verifier_) == address(0)) revert ZeroAddress();
        _checkTtl(registrationTtl_);
        _checkFreshnessWindow(freshnessWindow_);
        bool local = block.chainid == 31337 || block.chainid == 1337;
        if (changeDelay > MAX_CHANGE_DELAY || (!local && changeDelay < MIN_PUBLIC_CHANGE_DELAY)) {
            revert InvalidChangeDelay(changeDelay, block.chainid);
        }
        CHANGE_DELAY = changeDelay;
        CANCEL_NOTICE = changeDelay < 1 hours ? changeDelay : 1 hours;
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
    /// passed on to the caller); refuses every other transfer with UnexpectedEther.
    // The check is what refuses stray ETH, so this receive cannot be "simple".
    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        if (msg.sender != _feeSource) revert UnexpectedEther(msg.sender, msg.value);
        _feeReturned += msg.value;
    }

    // ───────────────────────────── deals ─────────────────────────────

    /// @inheritdoc IDealProof
    function dealIdFor(
        address buyer,
        address seller,
        bytes32 dataRoot,
        uint64 deadline
    ) public view returns (uint256) {
        return
            uint256(keccak256(abi.encode(block.chainid, address(this), buyer, seller, dataRoot, deadline)));
    }

    /// @inheritdoc IDealProof
    function createDeal(
        address seller,
        bytes32 dataRoot,
        uint64 deadline,
        bytes calldata sealedBuyerInput
    ) external payable returns (uint256 dealId) {
        if (seller == address(0) || seller == msg.sender) revert InvalidSeller(seller);
        if (msg.value == 0 || msg.value > type(uint88).max) revert InvalidEscrow(msg.value);
        if (deadline <= block.timestamp || deadline > block.timestamp + MAX_DEAL_DURATION) {
            revert InvalidDeadline(deadline);
        }
        if (dataRoot == bytes32(0)) revert InvalidDataRoot();
        _checkInputSize(sealedBuyerInput.length);

        dealId = dealIdFor(msg.sender, seller, dataRoot, deadline);
        if (_deals[dealId].state != DealState.None) revert DealExists(dealId);
        _deals[dealId] = StoredDeal({
            buyer: msg.sender,
            buyerAmount: uint88(msg.value),
            state: DealState.Open,
            seller: seller,
            deadlineOrSellerAmount: deadline
        });
        emit DealCreated(dealId, msg.sender, seller, dataRoot, msg.value, deadline, sealedBuyerInput);
    }

    /// @inheritdoc IDealProof
    function acceptDeal(uint256 dealId, bytes calldata sealedSellerInput) external {
        StoredDeal storage deal = _deals[dealId];
        if (deal.state != DealState.Open) revert InvalidState(dealId, deal.state);
        if (msg.sender != deal.seller) revert NotSeller(dealId, msg.sender);
        uint64 deadline = uint64(deal.deadlineOrSellerAmount);
        if (block.timestamp > deadline) revert DeadlinePassed(dealId, deadline);
        _checkInputSize(sealedSellerInput.length);

        deal.state = DealState.Accepted;
        emit DealAccepted(dealId, msg.sender, sealedSellerInput);
    }

    /// @inheritdoc IDealProof
    function settleWithQuote(
        Settlement calldata outcome,
        bytes calldata quote
    ) external payable nonReentrant {
        StoredDeal storage deal = _checkSettleable(outcome);
        bytes32 digest = settlementDigest(outcome);
        _verifyQuote(quote, digest);
        _settle(deal, outcome);
        _returnFee();
    }

    /// @inheritdoc IDealProof
    function settleWithSignature(
        Settlement calldata outcome,
        bytes calldata signature
    ) external nonReentrant {
        StoredDeal storage deal = _checkSettleable(outcome);
        bytes32 digest = settlementDigest(outcome);
        address signer;
        if (signature.length == 65) {
            signer = ECDSA.recoverCalldata(digest, signature);
        } else if (signature.length == 64) {
            signer = ECDSA.recover(digest, bytes32(signature[0:32]), bytes32(signature[32:64]));
        } else {
            revert InvalidSignatureLength(signature.length);
        }
        OracleRegistration storage reg = _registrations[signer];
        uint64 issuedAt = reg.issuedAt;
        if (issuedAt == 0) revert UnknownOracle(signer);
        if (reg.revoked) revert SignerIsRevoked(signer);
        uint64 expiry = issuedAt + registrationTtl;
        if (block.timestamp > expiry) revert OracleRegistrationExpired(signer, expiry);
        // An unchanged epoch proves no measurement was disallowed since registration (when the
        // measurement was allowed); otherwise read the allowlist.
        if (reg.measurementEpoch != measurementEpoch) {
            bytes32 measurementId = reg.measurementId;
            if (!allowedMeasurements[measurementId]) revert MeasurementNotAllowed(measurementId);
        }
        uint8 tcbStatus = reg.tcbStatus;
        if (!isTcbStatusAccepted(tcbStatus)) revert TcbStatusNotAccepted(tcbStatus);
        _settle(deal, outcome);
    }

    /// @inheritdoc IDealProof
    function refund(uint256 dealId) external {
        StoredDeal storage deal = _deals[dealId];
        DealState state = deal.state;
        if (state != DealState.Open && state != DealState.Accepted) revert InvalidState(dealId, state);
        uint64 deadline = uint64(deal.deadlineOrSellerAmount);
        if (block.timestamp <= deadline) revert DeadlineNotPassed(dealId, deadline);

        deal.state = DealState.Refunded;
        deal.deadlineOrSellerAmount = 0; // the seller gets nothing; the buyer's payout is the escrow
        emit DealRefunded(dealId, deal.buyerAmount);
    }

    /// @inheritdoc IDealProof
    function cancelDeal(uint256 dealId) external {
        StoredDeal storage deal = _deals[dealId];
        DealState state = deal.state;
        if (state != DealState.Open && state != DealState.Accepted) revert InvalidState(dealId, state);
        if (msg.sender != deal.buyer && msg.sender != deal.seller) revert NotParty(dealId, msg.sender);
        uint64 notice = CANCEL_NOTICE;
        if (state == DealState.Accepted && msg.sender == deal.buyer && notice != 0) {
            // The buyer could read the delivery from a pending settlement and cancel ahead of
            // it: its cancellation completes only after a notice, during which a settlement
            // still lands, and only while the request lives (no option kept in reserve).
            CancelRequest memory r = _cancelRequests[dealId];
            if (!_requestLive(r)) {
                _requestCancel(dealId, notice);
                return;
            }
            uint64 executableAt = r.requestedAt + notice;
            if (block.timestamp < executableAt) revert CancelNoticeRunning(dealId, executableAt);
            delete _cancelRequests[dealId];
        } else if (!hasPendingChange()) {
            revert NoPendingChange(dealId);
        }

        deal.state = DealState.Refunded;
        deal.deadlineOrSellerAmount = 0;
        emit DealCancelled(dealId, msg.sender, deal.buyerAmount);
    }

    /// @inheritdoc IDealProof
    function withdraw(uint256 dealId) external {
        _withdraw(dealId, payable(msg.sender));
    }

    /// @inheritdoc IDealProof
    function withdrawTo(uint256 dealId, address payable to) external {
        if (to == address(0)) revert ZeroAddress();
        _withdraw(dealId, to);
    }

    // ───────────────────────────── oracle registry ─────────────────────────────

    /// @inheritdoc IDealProof
    function registerOracle(
        address signer,
        bytes32 encryptionKey,
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
            registrationDigest(signer, encryptionKey, issuedAt)
        );

        reg.encryptionKey = encryptionKey;
        reg.measurementId = measurementId;
        reg.issuedAt = issuedAt;
        reg.tcbStatus = tcbStatus;
        reg.measurementEpoch = measurementEpoch;
        bool current = issuedAt > currentIssuedAt;
        if (current) {
            currentSigner = signer;
            currentIssuedAt = issuedAt;
        }
        emit OracleRegistered(signer, encryptionKey, measurementId, issuedAt, tcbStatus, current);
        _returnFee();
    }

    /// @inheritdoc IDealProof
    function currentOracle()
        external
        view
        returns (address signer, bytes32 encryptionKey, uint64 expiresAt, bytes32 measurementId)
    {
        signer = currentSigner;
        OracleRegistration storage reg = _registrations[signer];
        return (signer, reg.encryptionKey, registrationExpiry(signer), reg.measurementId);
    }

    /// @inheritdoc IDealProof
    function registrationOf(address signer) external view returns (OracleRegistration memory) {
        return _registrations[signer];
    }

    /// @inheritdoc IDealProof
    function registrationExpiry(address signer) public view returns (uint64) {
        uint64 issuedAt = _registrations[signer].issuedAt;
        return issuedAt == 0 ? 0 : issuedAt + registrationTtl;
    }

    // ───────────────────────────── owner: narrowing, immediate ─────────────────────────────

    /// @inheritdoc IDealProof
    function disallowMeasurement(bytes32 measurementId) external onlyOwner {
        allowedMeasurements[measurementId] = false;
        ++measurementEpoch;
        emit MeasurementAllowed(measurementId, false);
    }

    /// @inheritdoc IDealProof
    function refuseTcbStatus(uint8 status) external onlyOwner {
        _checkTcbStatus(status);
        acceptedTcbStatuses &= ~uint16(1 << status);
        emit TcbStatusAccepted(status, false);
    }

    /// @inheritdoc IDealProof
    function revokeSigner(address signer) external onlyOwner {
        if (signer == address(0)) revert ZeroAddress();
        _registrations[signer].revoked = true;
        bool wasCurrent = currentSigner == signer;
        if (wasCurrent) currentSigner = address(0);
        emit SignerRevoked(signer, wasCurrent);
    }

    /// @inheritdoc IDealProof
    function shortenRegistrationTtl(uint64 ttl) external onlyOwner {
        _checkTtl(ttl);
        if (ttl >= registrationTtl) revert NotNarrowing(registrationTtl, ttl);
        registrationTtl = ttl;
        emit RegistrationTtlUpdated(ttl);
    }

    /// @inheritdoc IDealProof
    function shortenFreshnessWindow(uint32 window) external onlyOwner {
        _checkFreshnessWindow(window);
        if (window >= freshnessWindow) revert NotNarrowing(freshnessWindow, window);
        freshnessWindow = window;
        emit FreshnessWindowUpdated(window);
    }

    /// @inheritdoc IDealProof
    function cancelChange(bytes32 changeId) external onlyOwner {
        if (_changes[changeId].readyAt == 0) revert ChangeNotScheduled(changeId);
        _unschedule(changeId);
        // the buyers' cancel requests lapse with it (they may ask again under another change)
        ++changeEpoch;
        emit ChangeCancelled(changeId);
    }

    /// @notice Always reverts: renouncing would freeze the configuration (no narrowing either).
    function renounceOwnership() public view override onlyOwner {
        revert RenounceDisabled();
    }

    // ───────────────────────────── owner: widening, scheduled ─────────────────────────────

    /// @inheritdoc IDealProof
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

    /// @inheritdoc IDealProof
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

    /// @inheritdoc IDealProof
    function changeIdFor(ChangeKind kind, bytes32 value) public pure returns (bytes32) {
        return keccak256(abi.encode(kind, value));
    }

    /// @inheritdoc IDealProof
    function hasPendingChange() public view returns (bool) {
        uint256 n = _scheduled.length;
        for (uint256 i = 0; i < n; ++i) {
            if (block.timestamp <= _changes[_scheduled[i]].readyAt + GRACE_PERIOD) return true;
        }
        return false;
    }

    /// @inheritdoc IDealProof
    function cancelRequest(
        uint256 dealId
    ) external view returns (uint64 requestedAt, uint64 executableAt, uint64 lapsesAt, bool live) {
        CancelRequest memory r = _cancelRequests[dealId];
        if (r.requestedAt == 0) return (0, 0, 0, false);
        live = _deals[dealId].state == DealState.Accepted && _requestLive(r);
        return (r.requestedAt, r.requestedAt + CANCEL_NOTICE, r.lapsesAt, live);
    }

    /// @inheritdoc IDealProof
    function buyerCancelLive(uint256 dealId) external view returns (bool) {
        if (_deals[dealId].state != DealState.Accepted) return false;
        if (CANCEL_NOTICE == 0) return hasPendingChange();
        return _requestLive(_cancelRequests[dealId]);
    }

    /// @inheritdoc IDealProof
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

    // ───────────────────────────── views ─────────────────────────────

    /// @inheritdoc IDealProof
    function getDeal(uint256 dealId) external view returns (Deal memory deal) {
        StoredDeal storage s = _deals[dealId];
        deal.buyer = s.buyer;
        deal.seller = s.seller;
        deal.state = s.state;
        if (s.state == DealState.Open || s.state == DealState.Accepted) {
            deal.escrow = s.buyerAmount;
            deal.deadline = uint64(s.deadlineOrSellerAmount);
        } else {
            deal.buyerPayout = s.buyerAmount;
            deal.sellerPayout = s.deadlineOrSellerAmount;
        }
    }

    /// @inheritdoc IDealProof
    function isTcbStatusAccepted(uint8 status) public view returns (bool) {
        return status <= MAX_TCB_STATUS && (acceptedTcbStatuses >> status) & 1 == 1;
    }

    /// @inheritdoc IDealProof
    function settlementDigest(Settlement calldata outcome) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        SETTLEMENT_TYPEHASH,
                        outcome.dealId,
                        outcome.agreed,
                        outcome.price,
                        outcome.termsHash,
                        outcome.dataRoot,
                        outcome.transcriptHash,
                        keccak256(outcome.delivery)
                    )
                )
            );
    }

    /// @inheritdoc IDealProof
    function registrationDigest(
        address signer,
        bytes32 encryptionKey,
        uint64 issuedAt
    ) public view returns (bytes32) {
        return
            _hashTypedDataV4(keccak256(abi.encode(REGISTRATION_TYPEHASH, signer, encryptionKey, issuedAt)));
    }

    // ───────────────────────────── internal ─────────────────────────────

    function _checkInputSize(uint256 length) private pure {
        if (length > MAX_SEALED_INPUT_BYTES) revert SealedInputTooLarge(length, MAX_SEALED_INPUT_BYTES);
    }

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

    /// @dev Whether a cancel request was made and has not lapsed (by time or by a change's end).
    function _requestLive(CancelRequest memory r) private view returns (bool) {
        return r.requestedAt != 0 && r.changeEpoch == changeEpoch && block.timestamp <= r.lapsesAt;
    }

    /// @dev Records the buyer's cancel request: it lapses CANCEL_WINDOW after its notice, or when
    /// the last change pending now lapses, whichever is first.
    function _requestCancel(uint256 dealId, uint64 notice) private {
        uint64 lastLapse = 0;
        uint256 n = _scheduled.length;
        for (uint256 i = 0; i < n; ++i) {
            uint64 lapse = _changes[_scheduled[i]].readyAt + GRACE_PERIOD;
            if (lapse >= block.timestamp && lapse > lastLapse) lastLapse = lapse;
        }
        if (lastLapse == 0) revert NoPendingChange(dealId);
        uint64 requestedAt = uint64(block.timestamp);
        uint64 executableAt = requestedAt + notice;
        uint64 lapsesAt = executableAt + CANCEL_WINDOW;
        if (lastLapse < lapsesAt) lapsesAt = lastLapse;
        if (lapsesAt < executableAt) revert CancelWouldLapse(dealId, lapsesAt);
        _cancelRequests[dealId] = CancelRequest(requestedAt, lapsesAt, changeEpoch);
        emit DealCancelRequested(dealId, requestedAt, executableAt, lapsesAt);
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

    /// @dev The outcome checks shared by both settlement paths.
    function _checkSettleable(Settlement calldata outcome) private view returns (StoredDeal storage deal) {
        uint256 dealId = outcome.dealId;
        deal = _deals[dealId];
        if (deal.state != DealState.Accepted) revert InvalidState(dealId, deal.state);
        uint64 deadline = uint64(deal.deadlineOrSellerAmount);
        if (block.timestamp > deadline) revert DeadlinePassed(dealId, deadline);
        // The id commits to the root: recomputing it checks the root without storing it.
        if (dealIdFor(deal.buyer, deal.seller, outcome.dataRoot, deadline) != dealId) {
            revert DataRootMismatch(dealId, outcome.dataRoot);
        }
        if (outcome.agreed) {
            if (outcome.price > deal.buyerAmount) revert PriceAboveEscrow(outcome.price, deal.buyerAmount);
        } else if (outcome.price != 0 || outcome.delivery.length != 0) {
            revert InvalidNoDealOutcome();
        }
    }

    /// @dev Sends the quote to the verifier (with msg.value as its fee; ETH it sends back during
    /// the call is counted for `_returnFee`) and applies the policy to its output. Returns the
    /// quote's measurement id and TCB status. Callers are nonReentrant.
    function _verifyQuote(bytes calldata quote, bytes32 digest) private returns (bytes32, uint8) {
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
    function _returnFee() private {
        uint256 amount = _feeReturned;
        if (amount == 0) return;
        _feeReturned = 0;
        emit FeeRefunded(msg.sender, amount);
        (bool ok, ) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert FeeRefundFailed(msg.sender, amount);
    }

    function _settle(StoredDeal storage deal, Settlement calldata outcome) private {
        // price <= escrow < 2^88 was checked, so neither cast truncates.
        uint88 price = outcome.agreed ? uint88(outcome.price) : 0;
        deal.state = DealState.Settled;
        deal.buyerAmount -= price;
        deal.deadlineOrSellerAmount = price;
        emit DealSettled(
            outcome.dealId,
            outcome.agreed,
            outcome.price,
            outcome.termsHash,
            outcome.transcriptHash,
            outcome.delivery
        );
    }

    function _withdraw(uint256 dealId, address payable to) private nonReentrant {
        StoredDeal storage deal = _deals[dealId];
        DealState state = deal.state;
        if (state != DealState.Settled && state != DealState.Refunded) revert InvalidState(dealId, state);
        uint256 amount;
        if (msg.sender == deal.buyer) {
            amount = deal.buyerAmount;
            deal.buyerAmount = 0;
        } else if (msg.sender == deal.seller) {
            amount = deal.deadlineOrSellerAmount;
            deal.deadlineOrSellerAmount = 0;
        } else {
            revert NotParty(dealId, msg.sender);
        }
        if (amount == 0) revert NothingToWithdraw();
        emit Withdrawn(dealId, msg.sender, to, amount);
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert WithdrawFailed(to, amount);
    }
}
