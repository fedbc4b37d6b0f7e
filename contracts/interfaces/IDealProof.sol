// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {IDcapAttestation} from "./IDcapAttestation.sol";

/// @title IDealProof
/// @notice External surface of DealProof (DESIGN.md §2–§4): escrow for private data deals settled
/// by an Intel TDX enclave, the oracle registry, and the owner's split powers (narrowing trust is
/// immediate; widening trust is scheduled, announced and cancellable by deal parties).
/// @dev Every struct, event and custom error of the contract is declared here; DealProof
/// implements the functions with NatSpec inheritdoc. Ownership (OpenZeppelin Ownable2Step) is not
/// repeated here, except that `renounceOwnership` always reverts with `RenounceDisabled`.
interface IDealProof {
    // ───────────────────────────── types ─────────────────────────────

    /// @notice Life cycle of a deal. None means the id is unknown. A deal cancelled while a
    /// widening change was pending ends Refunded, like one refunded after its deadline.
    enum DealState {
        None,
        Open,
        Accepted,
        Settled,
        Refunded
    }

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

    /// @notice A deal as `getDeal` reports it.
    struct Deal {
        address buyer;
        address seller;
        DealState state;
        /// Open/Accepted: the escrow. Settled/Refunded: 0.
        uint256 escrow;
        /// Open/Accepted: the deadline. Settled/Refunded: 0.
        uint64 deadline;
        /// Settled/Refunded: what the buyer can still withdraw. Open/Accepted: 0.
        uint256 buyerPayout;
        /// Settled: what the seller can still withdraw. Otherwise 0.
        uint256 sellerPayout;
    }

    /// @notice The outcome the enclave attests (EIP-712 `Settlement`, DESIGN.md §3).
    struct Settlement {
        uint256 dealId;
        bool agreed;
        uint256 price;
        bytes32 termsHash;
        bytes32 dataRoot;
        bytes32 transcriptHash;
        bytes delivery;
    }

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

    /// @notice The buyer's cancel request on an Accepted deal (one slot).
    struct CancelRequest {
        /// When the buyer asked (0: never).
        uint64 requestedAt;
        /// The last second it may complete.
        uint64 lapsesAt;
        /// `changeEpoch` when it was made: it lapses once the owner cancels or executes a change.
        uint64 changeEpoch;
    }

    // ───────────────────────────── events ─────────────────────────────

    /// @notice A buyer opened a deal.
    /// @param dealId The deal's id (`dealIdFor`).
    /// @param buyer Who escrowed.
    /// @param seller The only address that may accept.
    /// @param dataRoot The seller's dataset commitment.
    /// @param escrow Wei escrowed.
    /// @param deadline Unix time after which an unsettled deal can be refunded.
    /// @param sealedBuyerInput HPKE ciphertext of the buyer's private input.
    event DealCreated(
        uint256 indexed dealId,
        address indexed buyer,
        address indexed seller,
        bytes32 dataRoot,
        uint256 escrow,
        uint64 deadline,
        bytes sealedBuyerInput
    );

    /// @notice The seller joined a deal.
    /// @param dealId The deal.
    /// @param seller The seller.
    /// @param sealedSellerInput HPKE ciphertext of the seller's private input.
    event DealAccepted(uint256 indexed dealId, address indexed seller, bytes sealedSellerInput);

    /// @notice A deal settled with an attested outcome.
    /// @param dealId The deal.
    /// @param agreed Whether the parties agreed.
    /// @param price Wei credited to the seller (0 when not agreed).
    /// @param termsHash keccak256 of the canonical terms JSON.
    /// @param transcriptHash keccak256 of the canonical transcript JSON.
    /// @param delivery The dataset key sealed to the buyer; empty when not agreed.
    event DealSettled(
        uint256 indexed dealId,
        bool agreed,
        uint256 price,
        bytes32 termsHash,
        bytes32 transcriptHash,
        bytes delivery
    );

    /// @notice An unsettled deal was refunded after its deadline.
    /// @param dealId The deal.
    /// @param amount Wei credited to the buyer (the whole escrow).
    event DealRefunded(uint256 indexed dealId, uint256 amount);

    /// @notice A party cancelled an Open or Accepted deal while a widening change was pending.
    /// @param dealId The deal (now Refunded).
    /// @param by The buyer or the seller who cancelled.
    /// @param amount Wei credited to the buyer (the whole escrow).
    event DealCancelled(uint256 indexed dealId, address indexed by, uint256 amount);

    /// @notice The buyer of an Accepted deal asked to cancel it while a widening change was
    /// pending; `cancelDeal` completes the cancellation from `executableAt` until `lapsesAt` (a
    /// settlement that lands before then wins, and the deal is no longer cancellable). The
    /// request lapses earlier when any pending change is cancelled or executed.
    /// @param dealId The deal (still Accepted).
    /// @param requestedAt When the buyer asked.
    /// @param executableAt requestedAt + CANCEL_NOTICE: the first second the buyer may complete.
    /// @param lapsesAt The last second it may complete: executableAt + CANCEL_WINDOW, or earlier
    /// when every change pending at the request lapses before that.
    event DealCancelRequested(
        uint256 indexed dealId,
        uint64 requestedAt,
        uint64 executableAt,
        uint64 lapsesAt
    );

    /// @notice A party withdrew its payout.
    /// @param dealId The deal.
    /// @param account The buyer or the seller.
    /// @param to The recipient.
    /// @param amount Wei sent.
    event Withdrawn(uint256 indexed dealId, address indexed account, address to, uint256 amount);

    /// @notice An enclave key was registered (or renewed).
    /// @param signer The enclave's secp256k1 address.
    /// @param encryptionKey Its X25519 HPKE public key.
    /// @param measurementId The registration quote's measurement id.
    /// @param issuedAt When the enclave issued the registration.
    /// @param tcbStatus The registration quote's TCB status.
    /// @param current Whether it became `currentSigner`.
    event OracleRegistered(
        address indexed signer,
        bytes32 encryptionKey,
        bytes32 indexed measurementId,
        uint64 issuedAt,
        uint8 tcbStatus,
        bool current
    );

    /// @notice The owner revoked a signer, for good.
    /// @param signer The revoked address.
    /// @param wasCurrent Whether it was `currentSigner` (which is now the zero address).
    event SignerRevoked(address indexed signer, bool wasCurrent);

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

    // ───────────────────────────── errors ─────────────────────────────

    /// @notice createDeal: the seller is zero or the caller.
    /// @param seller The seller given.
    error InvalidSeller(address seller);
    /// @notice createDeal: no escrow, or more than 2^88−1 wei.
    /// @param amount msg.value.
    error InvalidEscrow(uint256 amount);
    /// @notice createDeal: the deadline is not in (now, now + MAX_DEAL_DURATION].
    /// @param deadline The deadline given.
    error InvalidDeadline(uint64 deadline);
    /// @notice createDeal: the dataset root is zero.
    error InvalidDataRoot();
    /// @notice A sealed input is larger than MAX_SEALED_INPUT_BYTES.
    /// @param length Its length.
    /// @param max The limit.
    error SealedInputTooLarge(uint256 length, uint256 max);
    /// @notice createDeal: the caller already has a deal with this id.
    /// @param dealId The id.
    error DealExists(uint256 dealId);
    /// @notice The deal is not in a state that allows the call.
    /// @param dealId The deal.
    /// @param state Its state.
    error InvalidState(uint256 dealId, DealState state);
    /// @notice acceptDeal: the caller is not the named seller.
    /// @param dealId The deal.
    /// @param caller msg.sender.
    error NotSeller(uint256 dealId, address caller);
    /// @notice withdraw/cancelDeal: the caller is neither buyer nor seller.
    /// @param dealId The deal.
    /// @param caller msg.sender.
    error NotParty(uint256 dealId, address caller);
    /// @notice acceptDeal/settlement after the deadline.
    /// @param dealId The deal.
    /// @param deadline Its deadline.
    error DeadlinePassed(uint256 dealId, uint64 deadline);
    /// @notice refund before the deadline.
    /// @param dealId The deal.
    /// @param deadline Its deadline.
    error DeadlineNotPassed(uint256 dealId, uint64 deadline);
    /// @notice An agreed outcome's price exceeds the escrow.
    /// @param price The price.
    /// @param escrow The escrow.
    error PriceAboveEscrow(uint256 price, uint256 escrow);
    /// @notice The outcome's dataRoot is not the deal's.
    /// @param dealId The deal.
    /// @param dataRoot The root given.
    error DataRootMismatch(uint256 dealId, bytes32 dataRoot);
    /// @notice A no-deal outcome carries a price or a delivery.
    error InvalidNoDealOutcome();
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
    /// @notice settleWithSignature: the signature is neither 65 nor 64 (EIP-2098) bytes.
    /// @param length Its length.
    error InvalidSignatureLength(uint256 length);
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
    /// @notice withdraw: the caller's payout is zero.
    error NothingToWithdraw();
    /// @notice withdraw: the ETH transfer failed.
    /// @param to The recipient.
    /// @param amount Wei.
    error WithdrawFailed(address to, uint256 amount);
    /// @notice The verifier's returned fee could not be sent to the submitter.
    /// @param to It.
    /// @param amount Wei.
    error FeeRefundFailed(address to, uint256 amount);
    /// @notice ETH arrived outside a verifier call (plain transfers are refused).
    /// @param from The sender.
    /// @param amount Wei.
    error UnexpectedEther(address from, uint256 amount);
    /// @notice A zero address where one is required (verifier, withdrawTo recipient, revoked signer).
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
    /// @notice cancelDeal while no widening change is pending (the first step, or a one-step cancel).
    /// @param dealId The deal.
    error NoPendingChange(uint256 dealId);
    /// @notice cancelDeal: the buyer's cancellation of an Accepted deal was requested and its
    /// notice is not over yet.
    /// @param dealId The deal.
    /// @param executableAt The first second at which the buyer may complete it.
    error CancelNoticeRunning(uint256 dealId, uint64 executableAt);
    /// @notice cancelDeal: every pending change lapses before the buyer's notice would be over,
    /// so a request could never complete (the buyer has no cancel option left under them).
    /// @param dealId The deal.
    /// @param lapsesAt When the last pending change lapses.
    error CancelWouldLapse(uint256 dealId, uint64 lapsesAt);
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

    // ───────────────────────────── deals ─────────────────────────────

    /// @notice The id `createDeal` gives a deal, known before it is sent so a sealed input can bind it.
    /// @param buyer The buyer (the caller of `createDeal`).
    /// @param seller The seller.
    /// @param dataRoot The dataset commitment.
    /// @param deadline The deadline.
    /// @return keccak256(abi.encode(chain id, this contract, buyer, seller, dataRoot, deadline)).
    function dealIdFor(
        address buyer,
        address seller,
        bytes32 dataRoot,
        uint64 deadline
    ) external view returns (uint256);

    /// @notice Opens a deal, escrowing `msg.value` (which may exceed the private budget, hiding it).
    /// Reverts: InvalidSeller, InvalidEscrow, InvalidDeadline, InvalidDataRoot, SealedInputTooLarge, DealExists.
    /// @param seller The only address that may accept.
    /// @param dataRoot The seller's Merkle commitment to the dataset.
    /// @param deadline Unix time after which an unsettled deal can be refunded.
    /// @param sealedBuyerInput HPKE ciphertext of the buyer's private input, bound to the deal id.
    /// @return dealId The new deal's id.
    function createDeal(
        address seller,
        bytes32 dataRoot,
        uint64 deadline,
        bytes calldata sealedBuyerInput
    ) external payable returns (uint256 dealId);

    /// @notice The named seller joins an open deal before its deadline.
    /// Reverts: InvalidState, NotSeller, DeadlinePassed, SealedInputTooLarge.
    /// @param dealId The deal.
    /// @param sealedSellerInput HPKE ciphertext of the seller's private input, bound to `dealId`.
    function acceptDeal(uint256 dealId, bytes calldata sealedSellerInput) external;

    /// @notice Settles an Accepted deal with a TDX quote whose report_data is the outcome's EIP-712
    /// digest followed by 32 zero bytes. Anyone may submit: the quote is the authority. `msg.value`
    /// goes to the verifier as its fee; whatever it returns during the call goes back to the caller.
    /// Reverts: the outcome checks (InvalidState, DeadlinePassed, DataRootMismatch, PriceAboveEscrow,
    /// InvalidNoDealOutcome) and the quote checks (VerifierRejected, VerifierOutputTooShort,
    /// UnsupportedQuote, TcbStatusNotAccepted, TdAttributesRejected, MeasurementNotAllowed,
    /// ReportDataMismatch), FeeRefundFailed.
    /// @param outcome The attested outcome.
    /// @param quote The raw quote.
    function settleWithQuote(Settlement calldata outcome, bytes calldata quote) external payable;

    /// @notice Settles an Accepted deal with a registered oracle signer's ECDSA signature over the
    /// outcome's EIP-712 digest. The signer's registration must be unrevoked, unexpired
    /// (issuedAt + the TTL in force), and its measurement and TCB status still trusted.
    /// Reverts: the outcome checks, InvalidSignatureLength, ECDSAInvalidSignature(S), UnknownOracle,
    /// SignerIsRevoked, OracleRegistrationExpired, MeasurementNotAllowed, TcbStatusNotAccepted.
    /// @param outcome The attested outcome.
    /// @param signature 65-byte (r ‖ s ‖ v) or 64-byte EIP-2098 (r ‖ vs) signature.
    function settleWithSignature(Settlement calldata outcome, bytes calldata signature) external;

    /// @notice After the deadline of an Open or Accepted deal, credits the whole escrow to the buyer.
    /// Anyone may call. Reverts: InvalidState, DeadlineNotPassed.
    /// @param dealId The deal.
    function refund(uint256 dealId) external;

    /// @notice While a widening change is pending (`hasPendingChange`), the buyer or the seller
    /// of an Open or Accepted deal may leave it: the whole escrow is credited to the buyer and
    /// the deal ends Refunded. The buyer of an Accepted deal leaves in two calls: the first
    /// (while a change is pending) records the request (`DealCancelRequested`); the second
    /// completes it from requestedAt + CANCEL_NOTICE until the request lapses. A request lapses
    /// CANCEL_WINDOW after its notice, when every change pending at the request has lapsed, and
    /// as soon as the owner cancels or executes any change (`changeEpoch` moves): an option
    /// opened by a change lives no longer than that change, so a buyer cannot keep one in
    /// reserve to front-run a later settlement whose delivery it read in the mempool. A
    /// settlement may land in between; the second call then reverts InvalidState. A lapsed
    /// request is replaced by a new one while a change is pending. The oracle does not send a
    /// settlement carrying a delivery while `buyerCancelLive` is true.
    /// With CANCEL_NOTICE 0 (local chains) the buyer cancels at once, like the others.
    ///
    /// Requirements: the deal is Open or Accepted; the caller is its buyer or seller; a change
    /// is pending (for a request or a one-step cancel); for the buyer's completion, the notice
    /// is over and the request has not lapsed.
    ///
    /// Emits: DealCancelRequested (the buyer's first call on an Accepted deal), or DealCancelled.
    ///
    /// Reverts: InvalidState, NotParty, NoPendingChange, CancelNoticeRunning, CancelWouldLapse.
    /// @param dealId The deal.
    function cancelDeal(uint256 dealId) external;

    /// @notice Sends the caller's payout from a settled or refunded deal to the caller.
    /// Reverts: InvalidState, NotParty, NothingToWithdraw, WithdrawFailed.
    /// @param dealId The deal; the caller must be its buyer or its seller.
    function withdraw(uint256 dealId) external;

    /// @notice Like `withdraw`, to another recipient (for accounts that cannot receive ETH).
    /// Reverts: ZeroAddress and those of `withdraw`.
    /// @param dealId The deal; the caller must be its buyer or its seller.
    /// @param to Recipient of the payout.
    function withdrawTo(uint256 dealId, address payable to) external;

    // ───────────────────────────── oracle registry ─────────────────────────────

    /// @notice Registers (or renews) an enclave's signing address and HPKE key with a quote whose
    /// report_data is the `OracleRegistration(signer, encryptionKey, issuedAt)` digest followed by
    /// 32 zero bytes. Anyone may submit. `issuedAt` must not be in the future, must lie within the
    /// freshness window, must not be expired already (issuedAt + registrationTtl > now: the TTL
    /// may be shorter than the window), and must be newer than the signer's registration; the
    /// registration becomes `currentSigner` only if newer than `currentIssuedAt`, which a
    /// revocation keeps (so after revoking, only a registration newer than the revoked one
    /// becomes current). Fees as in `settleWithQuote`.
    /// Reverts: InvalidOracleSigner, SignerIsRevoked, RegistrationFromFuture, RegistrationStale,
    /// OracleRegistrationExpired, RegistrationNotNewer, the quote checks, FeeRefundFailed.
    /// @param signer The enclave's secp256k1 address.
    /// @param encryptionKey The enclave's X25519 HPKE public key.
    /// @param issuedAt Unix time the enclave issued the registration.
    /// @param quote The raw registration quote.
    function registerOracle(
        address signer,
        bytes32 encryptionKey,
        uint64 issuedAt,
        bytes calldata quote
    ) external payable;

    /// @notice The current registration: the key dapps seal inputs to.
    /// @return signer The oracle's address (zero when none, or when it was revoked).
    /// @return encryptionKey Its HPKE public key.
    /// @return expiresAt issuedAt + the TTL in force (0 when none).
    /// @return measurementId The attested enclave measurement.
    function currentOracle()
        external
        view
        returns (address signer, bytes32 encryptionKey, uint64 expiresAt, bytes32 measurementId);

    /// @notice A signer's registration as stored (issuedAt 0: never registered).
    /// @param signer The signer.
    /// @return The registration.
    function registrationOf(address signer) external view returns (OracleRegistration memory);

    /// @notice When `signer`'s registration lapses with the TTL in force (0: never registered).
    /// @param signer The signer.
    /// @return issuedAt + registrationTtl.
    function registrationExpiry(address signer) external view returns (uint64);

    // ───────────────────────────── owner: narrowing trust, immediate ─────────────────────────────

    /// @notice Disallows a measurement id: its quotes and its signers' registrations stop at once.
    /// @param measurementId The id.
    function disallowMeasurement(bytes32 measurementId) external;

    /// @notice Refuses a TCB status: its quotes and registrations stop at once. Reverts: InvalidTcbStatus.
    /// @param status 0–9.
    function refuseTcbStatus(uint8 status) external;

    /// @notice Revokes a signer for good (it can neither settle nor register again); if it was
    /// `currentSigner`, that becomes the zero address. Reverts: ZeroAddress.
    /// @param signer The signer.
    function revokeSigner(address signer) external;

    /// @notice Shortens the registration TTL (existing registrations too, at once).
    /// Reverts: InvalidRegistrationTtl, NotNarrowing.
    /// @param ttl Seconds, shorter than the current TTL.
    function shortenRegistrationTtl(uint64 ttl) external;

    /// @notice Shortens the freshness window. Reverts: InvalidFreshnessWindow, NotNarrowing.
    /// @param window Seconds, shorter than the current window.
    function shortenFreshnessWindow(uint32 window) external;

    /// @notice Cancels a scheduled change. Reverts: ChangeNotScheduled.
    /// @param changeId The change.
    function cancelChange(bytes32 changeId) external;

    // ───────────────────────────── owner: widening trust, scheduled ─────────────────────────────

    /// @notice Schedules a widening change, executable from now + CHANGE_DELAY for GRACE_PERIOD.
    /// Lapsed changes are pruned first, so a lapsed change may be scheduled again. A change that
    /// would change nothing is refused, since it would open the parties' cancel window for nothing.
    /// Reverts: ZeroAddress (verifier), InvalidChangeValue (verifier above 160 bits),
    /// InvalidTcbStatus, InvalidRegistrationTtl, InvalidFreshnessWindow, NotWidening (TTL or window
    /// not longer), ChangeDoesNotWiden (verifier in force, measurement allowed, status accepted),
    /// ChangeAlreadyPending, TooManyPendingChanges.
    /// @param kind What it changes.
    /// @param value The new value (see ChangeKind).
    /// @return changeId `changeIdFor(kind, value)`.
    function scheduleChange(ChangeKind kind, bytes32 value) external returns (bytes32 changeId);

    /// @notice Executes a scheduled change once its delay has passed and before it lapses. It is
    /// checked again to still widen trust (another change may have applied since, e.g. a longer
    /// TTL); if it no longer does, it reverts and the owner cancels it.
    /// Reverts: ChangeNotScheduled, ChangeNotReady, ChangeLapsed, NotWidening, ChangeDoesNotWiden.
    /// @param changeId The change.
    function executeChange(bytes32 changeId) external;

    /// @notice The id of a change: keccak256(abi.encode(kind, value)).
    /// @param kind What it changes.
    /// @param value The new value.
    /// @return The id.
    function changeIdFor(ChangeKind kind, bytes32 value) external pure returns (bytes32);

    /// @notice Whether any scheduled change is pending (neither executed, cancelled nor lapsed).
    /// @return True while parties may `cancelDeal`.
    function hasPendingChange() external view returns (bool);

    /// @notice The pending changes (lapsed ones left out).
    /// @return changes Each with its id, kind, value, readyAt and lapsesAt.
    function pendingChanges() external view returns (PendingChange[] memory changes);

    // ───────────────────────────── views ─────────────────────────────

    /// @notice A deal (state None: unknown id). Its dataset root is in `DealCreated` and in its id.
    /// @param dealId The deal.
    /// @return deal The deal, with escrow and deadline while it is live, payouts once terminal.
    function getDeal(uint256 dealId) external view returns (Deal memory deal);

    /// @notice Whether TCB status `status` is accepted.
    /// @param status 0–9 (anything larger: false).
    /// @return True when accepted.
    function isTcbStatusAccepted(uint8 status) external view returns (bool);

    /// @notice EIP-712 digest of an outcome (report_data[0:32] of its quote; what the oracle signs).
    /// @param outcome The outcome.
    /// @return The digest.
    function settlementDigest(Settlement calldata outcome) external view returns (bytes32);

    /// @notice EIP-712 digest of `OracleRegistration(signer, encryptionKey, issuedAt)`
    /// (report_data[0:32] of a registration quote).
    /// @param signer The enclave's address.
    /// @param encryptionKey The enclave's HPKE public key.
    /// @param issuedAt When the enclave issued it.
    /// @return The digest.
    function registrationDigest(
        address signer,
        bytes32 encryptionKey,
        uint64 issuedAt
    ) external view returns (bytes32);

    /// @notice The DCAP verifier quotes are sent to.
    /// @return The verifier.
    function verifier() external view returns (IDcapAttestation);

    /// @notice How long a registration stays valid after its issuedAt.
    /// @return Seconds.
    function registrationTtl() external view returns (uint64);

    /// @notice How old a registration's issuedAt may be when it is submitted.
    /// @return Seconds.
    function freshnessWindow() external view returns (uint32);

    /// @notice Bit i set: TCB status i is accepted (default: UpToDate only).
    /// @return The bit set.
    function acceptedTcbStatuses() external view returns (uint16);

    /// @notice Incremented by every `disallowMeasurement`; registrations remember it so that an
    /// unchanged epoch proves their measurement is still allowed without another storage read.
    /// @return The epoch.
    function measurementEpoch() external view returns (uint64);

    /// @notice The latest registered signer (zero when none or revoked).
    /// @return The signer.
    function currentSigner() external view returns (address);

    /// @notice issuedAt of the latest registration that became current. A revocation keeps it, so
    /// `currentSigner` never moves back to an older registration: after a revocation only a
    /// registration newer than the revoked one becomes current.
    /// @return Unix time.
    function currentIssuedAt() external view returns (uint64);

    /// @notice Whether a measurement id is allowed.
    /// @param measurementId The id.
    /// @return True when allowed.
    function allowedMeasurements(bytes32 measurementId) external view returns (bool);

    /// @notice Delay between scheduling and executing a widening change, fixed at deployment.
    /// @return Seconds.
    function CHANGE_DELAY() external view returns (uint64);

    /// @notice Notice between the buyer's cancellation request on an Accepted deal and its
    /// completion: min(1 hour, CHANGE_DELAY), fixed at deployment (0 on local chains with delay 0).
    /// @return Seconds.
    function CANCEL_NOTICE() external view returns (uint64);

    /// @notice How long after its notice a buyer's cancel request may still be completed.
    /// @return Seconds.
    function CANCEL_WINDOW() external view returns (uint64);

    /// @notice Counts the owner's cancelled and executed changes; a cancel request made under
    /// another count has lapsed.
    /// @return The count.
    function changeEpoch() external view returns (uint64);

    /// @notice The buyer's latest cancel request on a deal (all zero: none was made).
    /// @param dealId The deal.
    /// @return requestedAt When the buyer asked.
    /// @return executableAt The first second the buyer may complete it.
    /// @return lapsesAt The last second it may complete, unless a change is cancelled or executed first.
    /// @return live Whether the deal is Accepted and the request has not lapsed (it may still complete).
    function cancelRequest(
        uint256 dealId
    ) external view returns (uint64 requestedAt, uint64 executableAt, uint64 lapsesAt, bool live);

    /// @notice Whether the buyer of an Accepted deal holds a cancel option now: a request that
    /// has not lapsed or, with CANCEL_NOTICE 0, any pending change. While it does, a settlement
    /// that carries a delivery could be front-run, so the oracle waits (DESIGN.md §2).
    /// @param dealId The deal.
    /// @return True while the buyer may cancel or complete a cancellation before its option lapses.
    function buyerCancelLive(uint256 dealId) external view returns (bool);
}
