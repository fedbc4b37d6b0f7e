// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IDcapAttestation} from "./interfaces/IDcapAttestation.sol";
import {DcapOutput} from "./lib/DcapOutput.sol";

/// @title DealProof
/// @notice Escrow for private data deals negotiated inside an Intel TDX enclave.
/// A buyer escrows ETH and names a seller and a dataset commitment; the seller accepts; an
/// enclave (the oracle) negotiates on the parties' sealed inputs and settles with either a TDX
/// quote verified on-chain by a DCAP verifier, or a signature from an enclave key that was
/// registered with such a quote. Payments are pull-based (`withdraw`).
/// @dev Replay protection: every settlement digest binds the deal id and the EIP-712 domain
/// (chain id, this contract), and a deal settles at most once (Settled and Refunded are
/// terminal). A digest can therefore authorise nothing after its first use, without a
/// used-digest mapping (which would cost a fresh storage slot per deal).
/// Gas: a deal lives in two storage slots for its whole life. Its id commits to the dataset
/// root (so the root is checked without being stored), and its payouts are kept in the slots
/// the escrow and the deadline used (so settlement writes no fresh slot). A whole deal settled
/// by signature costs under 250k gas (docs/contracts.md has the table).
contract DealProof is Ownable2Step, EIP712, ReentrancyGuardTransient {
    /// @notice Life cycle of a deal. None means the id is unknown.
    enum DealState {
        None,
        Open,
        Accepted,
        Settled,
        Refunded
    }

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

    /// @notice An enclave key attested by a registration quote.
    struct OracleRegistration {
        bytes32 encryptionKey;
        bytes32 measurementId;
        uint64 expiresAt;
    }

    bytes32 private constant SETTLEMENT_TYPEHASH = keccak256(
        "Settlement(uint256 dealId,bool agreed,uint256 price,bytes32 termsHash,bytes32 dataRoot,bytes32 transcriptHash,bytes delivery)"
    );
    bytes32 private constant REGISTRATION_TYPEHASH = keccak256(
        "OracleRegistration(address signer,bytes32 encryptionKey)"
    );

    /// @notice Largest sealed input accepted, in bytes.
    uint256 public constant MAX_SEALED_INPUT_BYTES = 65_536;
    /// @notice Longest time between creating a deal and its deadline.
    uint64 public constant MAX_DEAL_DURATION = 365 days;
    /// @notice Quote version and TD 1.0 body type that settlement accepts.
    uint16 public constant QUOTE_VERSION = 4;
    uint16 public constant TD10_BODY_TYPE = 2;
    /// @notice Highest TCB status value of the verifier output (7 = Unrecognized).
    uint8 public constant MAX_TCB_STATUS = 7;

    /// @notice The DCAP verifier quotes are sent to.
    IDcapAttestation public verifier;
    /// @notice How long an oracle registration stays valid.
    uint64 public registrationTtl;
    /// @notice Bit i set: TCB status i is accepted. Default: UpToDate (0) only.
    uint256 public acceptedTcbStatuses = 1;
    /// @notice The latest registered oracle signer (what dapps seal inputs to).
    address public currentSigner;

    /// @notice Measurement ids (keccak256(mrTd ‖ rtMr0..3)) of enclaves allowed to settle.
    mapping(bytes32 measurementId => bool allowed) public allowedMeasurements;
    /// @notice Registered oracle signers.
    mapping(address signer => OracleRegistration) public registrations;
    mapping(uint256 dealId => StoredDeal) private _deals;

    event DealCreated(
        uint256 indexed dealId,
        address indexed buyer,
        address indexed seller,
        bytes32 dataRoot,
        uint256 escrow,
        uint64 deadline,
        bytes sealedBuyerInput
    );
    event DealAccepted(uint256 indexed dealId, address indexed seller, bytes sealedSellerInput);
    event DealSettled(
        uint256 indexed dealId,
        bool agreed,
        uint256 price,
        bytes32 termsHash,
        bytes32 transcriptHash,
        bytes delivery
    );
    event DealRefunded(uint256 indexed dealId, uint256 amount);
    event Withdrawn(uint256 indexed dealId, address indexed account, address to, uint256 amount);
    event OracleRegistered(
        address indexed signer,
        bytes32 encryptionKey,
        bytes32 indexed measurementId,
        uint64 expiresAt
    );
    event MeasurementAllowed(bytes32 indexed measurementId, bool allowed);
    event TcbStatusAccepted(uint8 indexed status, bool accepted);
    event VerifierUpdated(address indexed previous, address indexed verifier);
    event RegistrationTtlUpdated(uint64 ttl);

    error InvalidSeller(address seller);
    error InvalidEscrow(uint256 amount);
    error InvalidDeadline(uint64 deadline);
    error InvalidDataRoot();
    error SealedInputTooLarge(uint256 length, uint256 max);
    error DealExists(uint256 dealId);
    error InvalidState(uint256 dealId, DealState state);
    error NotSeller(uint256 dealId, address caller);
    error NotParty(uint256 dealId, address caller);
    error DeadlinePassed(uint256 dealId, uint64 deadline);
    error DeadlineNotPassed(uint256 dealId, uint64 deadline);
    error PriceAboveEscrow(uint256 price, uint256 escrow);
    error DataRootMismatch(uint256 dealId, bytes32 dataRoot);
    error InvalidNoDealOutcome();
    error VerifierRejected(bytes reason);
    error UnsupportedQuote(uint16 version, uint16 bodyType);
    error TcbStatusNotAccepted(uint8 status);
    error MeasurementNotAllowed(bytes32 measurementId);
    error ReportDataMismatch(bytes32 expectedDigest, bytes32 low, bytes32 high);
    error UnknownOracle(address signer);
    error OracleRegistrationExpired(address signer, uint64 expiresAt);
    error InvalidOracleSigner();
    error NothingToWithdraw();
    error WithdrawFailed(address to, uint256 amount);
    error ZeroAddress();
    error InvalidTtl();
    error InvalidTcbStatus(uint8 status);

    /// @param initialOwner Owner (two-step transfer) who curates measurements, TCB statuses, verifier, TTL.
    /// @param verifier_ The DCAP verifier (Automata's on public chains, SimulatedDcapVerifier locally).
    /// @param registrationTtl_ Lifetime of an oracle registration, in seconds.
    constructor(
        address initialOwner,
        IDcapAttestation verifier_,
        uint64 registrationTtl_
    ) Ownable(initialOwner) EIP712("DealProof", "1") {
        if (address(verifier_) == address(0)) revert ZeroAddress();
        if (registrationTtl_ == 0) revert InvalidTtl();
        verifier = verifier_;
        registrationTtl = registrationTtl_;
        emit VerifierUpdated(address(0), address(verifier_));
        emit RegistrationTtlUpdated(registrationTtl_);
        emit TcbStatusAccepted(0, true);
    }

    // ───────────────────────────── deals ─────────────────────────────

    /// @notice The id `createDeal` gives a deal, known before it is sent so a sealed input can
    /// bind it. One buyer cannot hold two deals with the same seller, root and deadline.
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
    ) public view returns (uint256) {
        return
            uint256(keccak256(abi.encode(block.chainid, address(this), buyer, seller, dataRoot, deadline)));
    }

    /// @notice Opens a deal, escrowing `msg.value` (which may exceed the private budget, hiding it).
    /// @param seller The only address that may accept.
    /// @param dataRoot The seller's Merkle commitment to the dataset.
    /// @param deadline Unix time after which an unsettled deal can be refunded.
    /// @param sealedBuyerInput HPKE ciphertext of the buyer's private input, bound to the deal id
    /// (`dealIdFor(msg.sender, seller, dataRoot, deadline)`).
    /// @return dealId The new deal's id.
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

    /// @notice The named seller joins an open deal before its deadline.
    /// @param dealId The deal.
    /// @param sealedSellerInput HPKE ciphertext of the seller's private input, bound to `dealId`.
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

    /// @notice Settles a deal with a TDX quote whose report_data is the outcome's EIP-712 digest
    /// followed by 32 zero bytes. Anyone may submit: the quote is the authority.
    /// @param outcome The attested outcome.
    /// @param quote The raw quote; `msg.value` is forwarded to the verifier as its fee.
    function settleWithQuote(
        Settlement calldata outcome,
        bytes calldata quote
    ) external payable nonReentrant {
        StoredDeal storage deal = _checkSettleable(outcome);
        bytes32 digest = settlementDigest(outcome);
        _verifyQuote(quote, digest);
        _settle(deal, outcome);
    }

    /// @notice Settles a deal with a registered, unexpired oracle signer's ECDSA signature over
    /// the outcome's EIP-712 digest.
    /// @param outcome The attested outcome.
    /// @param signature 65-byte (r, s, v) or 64-byte EIP-2098 signature.
    function settleWithSignature(
        Settlement calldata outcome,
        bytes calldata signature
    ) external nonReentrant {
        StoredDeal storage deal = _checkSettleable(outcome);
        address signer = ECDSA.recover(settlementDigest(outcome), signature);
        OracleRegistration storage reg = registrations[signer];
        uint64 expiresAt = reg.expiresAt;
        if (expiresAt == 0) revert UnknownOracle(signer);
        if (block.timestamp > expiresAt) revert OracleRegistrationExpired(signer, expiresAt);
        if (!allowedMeasurements[reg.measurementId]) revert MeasurementNotAllowed(reg.measurementId);
        _settle(deal, outcome);
    }

    /// @notice Returns the buyer's escrow after the deadline of a deal that was not settled.
    /// Anyone may call; the whole escrow becomes the buyer's payout (`withdraw`).
    /// @param dealId The deal.
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

    /// @notice Sends the caller's payout from a settled or refunded deal to the caller.
    /// @param dealId The deal; the caller must be its buyer or its seller.
    function withdraw(uint256 dealId) external {
        _withdraw(dealId, payable(msg.sender));
    }

    /// @notice Sends the caller's payout from a settled or refunded deal to `to` (for accounts
    /// that cannot receive ETH).
    /// @param dealId The deal; the caller must be its buyer or its seller.
    /// @param to Recipient of the payout.
    function withdrawTo(uint256 dealId, address payable to) external {
        if (to == address(0)) revert ZeroAddress();
        _withdraw(dealId, to);
    }

    // ───────────────────────────── oracle registry ─────────────────────────────

    /// @notice Registers an enclave's signing address and HPKE public key with a quote whose
    /// report_data is the `OracleRegistration` digest followed by 32 zero bytes. Anyone may
    /// submit; the registration expires after `registrationTtl` and becomes the current one.
    /// @param signer The enclave's secp256k1 address.
    /// @param encryptionKey The enclave's X25519 HPKE public key.
    /// @param quote The raw registration quote; `msg.value` is forwarded to the verifier.
    function registerOracle(
        address signer,
        bytes32 encryptionKey,
        bytes calldata quote
    ) external payable nonReentrant {
        if (signer == address(0)) revert InvalidOracleSigner();
        bytes32 measurementId = _verifyQuote(quote, registrationDigest(signer, encryptionKey));
        uint64 expiresAt = uint64(block.timestamp) + registrationTtl;
        registrations[signer] = OracleRegistration(encryptionKey, measurementId, expiresAt);
        currentSigner = signer;
        emit OracleRegistered(signer, encryptionKey, measurementId, expiresAt);
    }

    /// @notice The latest registration: the key dapps seal inputs to and the signer that settles.
    /// @return signer The oracle's address (zero when none).
    /// @return encryptionKey Its HPKE public key.
    /// @return expiresAt When the registration lapses.
    /// @return measurementId The attested enclave measurement.
    function currentOracle()
        external
        view
        returns (address signer, bytes32 encryptionKey, uint64 expiresAt, bytes32 measurementId)
    {
        signer = currentSigner;
        OracleRegistration storage reg = registrations[signer];
        return (signer, reg.encryptionKey, reg.expiresAt, reg.measurementId);
    }

    // ───────────────────────────── owner ─────────────────────────────

    /// @notice Allows or disallows an enclave measurement id.
    /// @param measurementId keccak256(mrTd ‖ rtMr0 ‖ rtMr1 ‖ rtMr2 ‖ rtMr3).
    /// @param allowed Whether quotes and registrations from it are accepted.
    function setMeasurementAllowed(bytes32 measurementId, bool allowed) external onlyOwner {
        allowedMeasurements[measurementId] = allowed;
        emit MeasurementAllowed(measurementId, allowed);
    }

    /// @notice Accepts or refuses a TCB status of verified quotes.
    /// @param status 0 UpToDate … 7 Unrecognized.
    /// @param accepted Whether quotes with that status are accepted.
    function setTcbStatusAccepted(uint8 status, bool accepted) external onlyOwner {
        if (status > MAX_TCB_STATUS) revert InvalidTcbStatus(status);
        if (accepted) acceptedTcbStatuses |= 1 << status;
        else acceptedTcbStatuses &= ~(1 << status);
        emit TcbStatusAccepted(status, accepted);
    }

    /// @notice Points DealProof at another DCAP verifier.
    /// @param newVerifier The verifier contract.
    function setVerifier(IDcapAttestation newVerifier) external onlyOwner {
        if (address(newVerifier) == address(0)) revert ZeroAddress();
        emit VerifierUpdated(address(verifier), address(newVerifier));
        verifier = newVerifier;
    }

    /// @notice Sets the lifetime of future oracle registrations.
    /// @param ttl Seconds; must be positive.
    function setRegistrationTtl(uint64 ttl) external onlyOwner {
        if (ttl == 0) revert InvalidTtl();
        registrationTtl = ttl;
        emit RegistrationTtlUpdated(ttl);
    }

    // ───────────────────────────── views ─────────────────────────────

    /// @notice A deal (state None: unknown id). Its dataset root is in `DealCreated` and in its id.
    /// @param dealId The deal.
    /// @return deal The deal, with escrow and deadline while it is live, payouts once terminal.
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

    /// @notice Whether TCB status `status` is accepted.
    /// @param status 0..7.
    /// @return True when accepted.
    function isTcbStatusAccepted(uint8 status) public view returns (bool) {
        return status <= MAX_TCB_STATUS && (acceptedTcbStatuses >> status) & 1 == 1;
    }

    /// @notice EIP-712 digest of an outcome (report_data[0:32] of its quote; what the oracle signs).
    /// @param outcome The outcome.
    /// @return The digest.
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

    /// @notice EIP-712 digest of an oracle registration (report_data[0:32] of its quote).
    /// @param signer The enclave's address.
    /// @param encryptionKey The enclave's HPKE public key.
    /// @return The digest.
    function registrationDigest(address signer, bytes32 encryptionKey) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(REGISTRATION_TYPEHASH, signer, encryptionKey)));
    }

    // ───────────────────────────── internal ─────────────────────────────

    function _checkInputSize(uint256 length) private pure {
        if (length > MAX_SEALED_INPUT_BYTES) revert SealedInputTooLarge(length, MAX_SEALED_INPUT_BYTES);
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

    /// @dev Sends the quote to the verifier and applies the policy to its output; returns the
    /// quote's measurement id. The verifier is owner-set and trusted; callers are nonReentrant.
    function _verifyQuote(bytes calldata quote, bytes32 digest) private returns (bytes32) {
        (bool ok, bytes memory output) = verifier.verifyAndAttestOnChain{value: msg.value}(quote);
        if (!ok) revert VerifierRejected(output);
        DcapOutput.Verified memory v = DcapOutput.parse(output);
        if (v.version != QUOTE_VERSION || v.bodyType != TD10_BODY_TYPE)
            revert UnsupportedQuote(v.version, v.bodyType);
        if (!isTcbStatusAccepted(v.tcbStatus)) revert TcbStatusNotAccepted(v.tcbStatus);
        if (!allowedMeasurements[v.measurementId]) revert MeasurementNotAllowed(v.measurementId);
        if (v.reportDataLow != digest || v.reportDataHigh != bytes32(0)) {
            revert ReportDataMismatch(digest, v.reportDataLow, v.reportDataHigh);
        }
        return v.measurementId;
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
