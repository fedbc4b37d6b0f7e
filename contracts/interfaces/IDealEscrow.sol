// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

/// @title IDealEscrow
/// @notice The deals (DESIGN.md §3): a buyer escrows ETH for a named seller and a dataset
/// commitment, the seller accepts, a settlement (IDealProof) or a refund after the deadline ends
/// the deal, and each party pulls its payout. While the owner's widening change is pending
/// (ITrustPolicy) either party may leave a live deal with the whole escrow refunded to the buyer.
/// @dev Implemented by the abstract contract DealEscrow. ZeroAddress is the trust policy's
/// (ITrustPolicy); the settlement functions and their outcome type are the composition's
/// (IDealProof), since they also need the trust policy and the oracle registry.
interface IDealEscrow {
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
    /// @notice withdraw: the caller's payout is zero.
    error NothingToWithdraw();
    /// @notice withdraw: the ETH transfer failed.
    /// @param to The recipient.
    /// @param amount Wei.
    error WithdrawFailed(address to, uint256 amount);
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

    // ───────────────────────────── functions ─────────────────────────────

    /// @notice Opens a deal, escrowing `msg.value` (which may exceed the private budget, hiding it).
    ///
    /// Requirements: seller ≠ 0 and ≠ the caller (InvalidSeller); 0 < msg.value ≤ 2^88−1
    /// (InvalidEscrow); now < deadline ≤ now + MAX_DEAL_DURATION (InvalidDeadline); dataRoot ≠ 0
    /// (InvalidDataRoot); the input ≤ MAX_SEALED_INPUT_BYTES (SealedInputTooLarge); no deal with
    /// this id yet (DealExists).
    ///
    /// Emits: DealCreated.
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
    ///
    /// Requirements: the deal is Open (InvalidState); the caller is its seller (NotSeller); the
    /// deadline has not passed (DeadlinePassed); the input ≤ MAX_SEALED_INPUT_BYTES
    /// (SealedInputTooLarge).
    ///
    /// Emits: DealAccepted.
    /// @param dealId The deal.
    /// @param sealedSellerInput HPKE ciphertext of the seller's private input, bound to `dealId`.
    function acceptDeal(uint256 dealId, bytes calldata sealedSellerInput) external;

    /// @notice After the deadline of an Open or Accepted deal, credits the whole escrow to the
    /// buyer. Anyone may call.
    ///
    /// Requirements: the deal is Open or Accepted (InvalidState); its deadline has passed
    /// (DeadlineNotPassed).
    ///
    /// Emits: DealRefunded(dealId, escrow).
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
    /// Requirements: the deal is Open or Accepted (InvalidState); the caller is its buyer or
    /// seller (NotParty); a change is pending, for a request or a one-step cancel
    /// (NoPendingChange); a request could complete before it lapses (CancelWouldLapse); for the
    /// buyer's completion, the notice is over (CancelNoticeRunning) and the request has not
    /// lapsed (else the call records a new request).
    ///
    /// Emits: DealCancelRequested (the buyer's first call on an Accepted deal), or DealCancelled.
    /// @param dealId The deal.
    function cancelDeal(uint256 dealId) external;

    /// @notice Sends the caller's payout from a settled or refunded deal to the caller.
    ///
    /// Requirements: the deal is Settled or Refunded (InvalidState); the caller is its buyer or
    /// seller (NotParty); its payout is > 0 (NothingToWithdraw); the transfer succeeds
    /// (WithdrawFailed); not reentered (ReentrancyGuardReentrantCall).
    ///
    /// Emits: Withdrawn(dealId, caller, caller, amount).
    /// @param dealId The deal; the caller must be its buyer or its seller.
    function withdraw(uint256 dealId) external;

    /// @notice Like `withdraw`, to another recipient (for accounts that cannot receive ETH).
    ///
    /// Requirements: to ≠ 0 (ZeroAddress), and those of `withdraw`.
    ///
    /// Emits: Withdrawn(dealId, caller, to, amount).
    /// @param dealId The deal; the caller must be its buyer or its seller.
    /// @param to Recipient of the payout.
    function withdrawTo(uint256 dealId, address payable to) external;

    /// @notice Sends the caller's payouts from several settled or refunded deals to `to` in one
    /// transfer — a seller whose listing sold many times collects in one transaction, not one per
    /// deal. A deal whose payout for the caller is already withdrawn (or zero, or listed twice)
    /// adds nothing and is skipped.
    ///
    /// Requirements: to ≠ 0 (ZeroAddress); every deal is Settled or Refunded (InvalidState) and
    /// the caller is its buyer or seller (NotParty); the payouts add up to > 0
    /// (NothingToWithdraw); the transfer succeeds (WithdrawFailed); not reentered
    /// (ReentrancyGuardReentrantCall). All or nothing: any failure reverts every deal's payout.
    ///
    /// Emits: Withdrawn(dealId, caller, to, amount) for each deal that paid out.
    /// @param dealIds The deals; the caller must be buyer or seller of each.
    /// @param to Recipient of the total.
    /// @return total Wei sent.
    function withdrawMany(uint256[] calldata dealIds, address payable to) external returns (uint256 total);

    // ───────────────────────────── views ─────────────────────────────

    /// @notice The id `createDeal` gives a deal, known before it is sent so a sealed input can bind it.
    ///
    /// Requirements: none (view). Emits: nothing.
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

    /// @notice A deal (state None: unknown id). Its dataset root is in `DealCreated` and in its id.
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @param dealId The deal.
    /// @return deal The deal, with escrow and deadline while it is live, payouts once terminal.
    function getDeal(uint256 dealId) external view returns (Deal memory deal);

    /// @notice Notice between the buyer's cancellation request on an Accepted deal and its
    /// completion: min(1 hour, CHANGE_DELAY), fixed at deployment (0 on local chains with delay 0).
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @return Seconds.
    function CANCEL_NOTICE() external view returns (uint64);

    /// @notice How long after its notice a buyer's cancel request may still be completed.
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @return Seconds.
    function CANCEL_WINDOW() external view returns (uint64);

    /// @notice The buyer's latest cancel request on a deal (all zero: none was made).
    ///
    /// Requirements: none (view). Emits: nothing.
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
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @param dealId The deal.
    /// @return True while the buyer may cancel or complete a cancellation before its option lapses.
    function buyerCancelLive(uint256 dealId) external view returns (bool);
}
