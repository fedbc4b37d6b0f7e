// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IDealEscrow} from "./interfaces/IDealEscrow.sol";
import {IDealProof} from "./interfaces/IDealProof.sol";
import {TrustPolicy} from "./TrustPolicy.sol";

/// @title DealEscrow
/// @notice The deals: escrow, the state machine `None → Open → Accepted → Settled | Refunded`,
/// refunds after the deadline, leaving while the owner widens trust, and pull payments. A
/// settlement, authenticated elsewhere (DealProof), is checked against the deal and applied here
/// (`_checkSettleable`, `_settle`).
/// @dev Invariants: ETH held for deals = open escrow + unwithdrawn payouts; terminal states are
/// final. Gas: a deal lives in two storage slots for its whole life (its id commits to the
/// dataset root, which is not stored). While a change of the trust policy is pending either party
/// of a live deal may leave with a full refund to the buyer; the buyer of an Accepted deal in two
/// steps, CANCEL_NOTICE apart, so that it cannot front-run a settlement whose delivery it read in
/// the mempool.
abstract contract DealEscrow is TrustPolicy, IDealEscrow, ReentrancyGuardTransient {
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

    /// @notice Largest sealed input accepted, in bytes.
    uint256 public constant MAX_SEALED_INPUT_BYTES = 65_536;
    /// @notice Longest time between creating a deal and its deadline.
    uint64 public constant MAX_DEAL_DURATION = 365 days;
    /// @inheritdoc IDealEscrow
    uint64 public constant CANCEL_WINDOW = 1 days;

    /// @inheritdoc IDealEscrow
    uint64 public immutable CANCEL_NOTICE;

    mapping(uint256 dealId => StoredDeal) private _deals;
    /// @dev Apart from the deal's slots: only the buyer's cancellation of an Accepted deal touches it.
    mapping(uint256 dealId => CancelRequest) private _cancelRequests;

    /// @dev The notice is min(1 hour, CHANGE_DELAY), which TrustPolicy's constructor has set.
    constructor() {
        uint64 changeDelay = CHANGE_DELAY;
        CANCEL_NOTICE = changeDelay < 1 hours ? changeDelay : 1 hours;
    }

    /// @inheritdoc IDealEscrow
    function dealIdFor(
        address buyer,
        address seller,
        bytes32 dataRoot,
        uint64 deadline
    ) public view returns (uint256) {
        return
            uint256(keccak256(abi.encode(block.chainid, address(this), buyer, seller, dataRoot, deadline)));
    }

    /// @inheritdoc IDealEscrow
    function createDeal(
        address seller,
        bytes32 dataRoot,
        uint64 deadline,
        bytes calldata sealedBuyerInput
    ) external payable returns (uint256 dealId) {
        if (seller == address(0) || seller == msg.sender) revert InvalidSeller(seller);
        dealId = _openDeal(seller, dataRoot, deadline, sealedBuyerInput.length, DealState.Open);
        emit DealCreated(dealId, msg.sender, seller, dataRoot, msg.value, deadline, sealedBuyerInput);
    }

    /// @inheritdoc IDealEscrow
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

    /// @inheritdoc IDealEscrow
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

    /// @inheritdoc IDealEscrow
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

    /// @inheritdoc IDealEscrow
    function withdraw(uint256 dealId) external {
        _withdraw(dealId, payable(msg.sender));
    }

    /// @inheritdoc IDealEscrow
    function withdrawTo(uint256 dealId, address payable to) external {
        if (to == address(0)) revert ZeroAddress();
        _withdraw(dealId, to);
    }

    /// @inheritdoc IDealEscrow
    function withdrawMany(
        uint256[] calldata dealIds,
        address payable to
    ) external nonReentrant returns (uint256 total) {
        if (to == address(0)) revert ZeroAddress();
        uint256 n = dealIds.length;
        for (uint256 i; i < n; ++i) {
            uint256 dealId = dealIds[i];
            uint256 amount = _takePayout(dealId);
            if (amount == 0) continue; // already withdrawn, or listed twice
            total += amount;
            emit Withdrawn(dealId, msg.sender, to, amount);
        }
        if (total == 0) revert NothingToWithdraw();
        (bool ok, ) = to.call{value: total}("");
        if (!ok) revert WithdrawFailed(to, total);
    }

    // ───────────────────────────── views ─────────────────────────────

    /// @inheritdoc IDealEscrow
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

    /// @inheritdoc IDealEscrow
    function cancelRequest(
        uint256 dealId
    ) external view returns (uint64 requestedAt, uint64 executableAt, uint64 lapsesAt, bool live) {
        CancelRequest memory r = _cancelRequests[dealId];
        if (r.requestedAt == 0) return (0, 0, 0, false);
        live = _deals[dealId].state == DealState.Accepted && _requestLive(r);
        return (r.requestedAt, r.requestedAt + CANCEL_NOTICE, r.lapsesAt, live);
    }

    /// @inheritdoc IDealEscrow
    function buyerCancelLive(uint256 dealId) external view returns (bool) {
        if (_deals[dealId].state != DealState.Accepted) return false;
        if (CANCEL_NOTICE == 0) return hasPendingChange();
        return _requestLive(_cancelRequests[dealId]);
    }

    // ───────────────────────────── internal: for opening ─────────────────────────────

    /// @dev The one way a deal is opened (createDeal; ListingRegistry's createDealFromListing):
    /// escrows `msg.value` for `msg.sender` as buyer and stores the deal in `state` (Open, or
    /// Accepted for a listing deal whose seller is already in). The caller checks the seller and
    /// emits the event. Reverts InvalidEscrow, InvalidDeadline, InvalidDataRoot,
    /// SealedInputTooLarge, DealExists.
    function _openDeal(
        address seller,
        bytes32 dataRoot,
        uint64 deadline,
        uint256 inputLength,
        DealState state
    ) internal returns (uint256 dealId) {
        if (msg.value == 0 || msg.value > type(uint88).max) revert InvalidEscrow(msg.value);
        if (deadline <= block.timestamp || deadline > block.timestamp + MAX_DEAL_DURATION) {
            revert InvalidDeadline(deadline);
        }
        if (dataRoot == bytes32(0)) revert InvalidDataRoot();
        _checkInputSize(inputLength);

        dealId = dealIdFor(msg.sender, seller, dataRoot, deadline);
        if (_deals[dealId].state != DealState.None) revert DealExists(dealId);
        _deals[dealId] = StoredDeal({
            buyer: msg.sender,
            buyerAmount: uint88(msg.value),
            state: state,
            seller: seller,
            deadlineOrSellerAmount: deadline
        });
    }

    /// @dev Reverts SealedInputTooLarge when a sealed input exceeds MAX_SEALED_INPUT_BYTES.
    function _checkInputSize(uint256 length) internal pure {
        if (length > MAX_SEALED_INPUT_BYTES) revert SealedInputTooLarge(length, MAX_SEALED_INPUT_BYTES);
    }

    // ───────────────────────────── internal: for settlement ─────────────────────────────

    /// @dev The outcome checks shared by both settlement paths.
    function _checkSettleable(
        IDealProof.Settlement calldata outcome
    ) internal view returns (StoredDeal storage deal) {
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

    /// @dev Applies an authenticated outcome that passed `_checkSettleable`: the deal ends
    /// Settled and its two slots hold the payouts.
    function _settle(StoredDeal storage deal, IDealProof.Settlement calldata outcome) internal {
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

    // ───────────────────────────── internal: own ─────────────────────────────

    /// @dev Whether a cancel request was made and has not lapsed (by time or by a change's end).
    function _requestLive(CancelRequest memory r) private view returns (bool) {
        return r.requestedAt != 0 && r.changeEpoch == changeEpoch && block.timestamp <= r.lapsesAt;
    }

    /// @dev Records the buyer's cancel request: it lapses CANCEL_WINDOW after its notice, or when
    /// the last change pending now lapses, whichever is first.
    function _requestCancel(uint256 dealId, uint64 notice) private {
        uint64 lastLapse = _lastPendingLapse();
        if (lastLapse == 0) revert NoPendingChange(dealId);
        uint64 requestedAt = uint64(block.timestamp);
        uint64 executableAt = requestedAt + notice;
        uint64 lapsesAt = executableAt + CANCEL_WINDOW;
        if (lastLapse < lapsesAt) lapsesAt = lastLapse;
        if (lapsesAt < executableAt) revert CancelWouldLapse(dealId, lapsesAt);
        _cancelRequests[dealId] = CancelRequest(requestedAt, lapsesAt, changeEpoch);
        emit DealCancelRequested(dealId, requestedAt, executableAt, lapsesAt);
    }

    function _withdraw(uint256 dealId, address payable to) private nonReentrant {
        uint256 amount = _takePayout(dealId);
        if (amount == 0) revert NothingToWithdraw();
        emit Withdrawn(dealId, msg.sender, to, amount);
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert WithdrawFailed(to, amount);
    }

    /// @dev The caller's payout of a terminal deal, zeroed in storage before any transfer
    /// (checks-effects-interactions); 0 when already withdrawn. Reverts InvalidState unless the
    /// deal is Settled or Refunded, NotParty unless the caller is its buyer or seller.
    function _takePayout(uint256 dealId) private returns (uint256 amount) {
        StoredDeal storage deal = _deals[dealId];
        DealState state = deal.state;
        if (state != DealState.Settled && state != DealState.Refunded) revert InvalidState(dealId, state);
        if (msg.sender == deal.buyer) {
            amount = deal.buyerAmount;
            deal.buyerAmount = 0;
        } else if (msg.sender == deal.seller) {
            amount = deal.deadlineOrSellerAmount;
            deal.deadlineOrSellerAmount = 0;
        } else {
            revert NotParty(dealId, msg.sender);
        }
    }
}
