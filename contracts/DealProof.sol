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
contract DealProof is Ownable2Step, EIP712, ReentrancyGuardTransient {
    /// @notice Life cycle of a deal. None means the id is unknown.
    enum DealState {
        None,
        Open,
        Accepted,
        Settled,
        Refunded
    }

    /// @notice A deal as stored: three slots.
    struct Deal {
        address buyer;
        uint96 escrow;
        address seller;
        uint64 deadline;
        DealState state;
        bytes32 dataRoot;
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
    /// @notice Number of deals each buyer has created; part of the next deal id.
    mapping(address buyer => uint256 nonce) public dealNonce;
    /// @notice ETH each account can withdraw.
    mapping(address account => uint256 amount) public credits;
    mapping(uint256 dealId => Deal) private _deals;

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
    event Withdrawn(address indexed account, address indexed to, uint256 amount);
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
    error InvalidState(uint256 dealId, DealState state);
    error NotSeller(uint256 dealId, address caller);
    error DeadlinePassed(uint256 dealId, uint64 deadline);
    error DeadlineNotPassed(uint256 dealId, uint64 deadline);
    error PriceAboveEscrow(uint256 price, uint256 escrow);
    error DataRootMismatch(bytes32 expected, bytes32 actual);
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

    /// @notice The id the buyer's next `createDeal` will get, so a sealed input can bind it.
    /// @param buyer The buyer's address.
    /// @return The deal id: keccak256(chain id, this contract, buyer, buyer's deal count).
    function nextDealId(address buyer) public view returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(this), buyer, dealNonce[buyer])));
    }

    /// @notice Opens a deal, escrowing `msg.value` (which may exceed the private budget, hiding it).
    /// @param seller The only address that may accept.
    /// @param dataRoot The seller's Merkle commitment to the dataset.
    /// @param deadline Unix time after which an unsettled deal can be refunded.
    /// @param sealedBuyerInput HPKE ciphertext of the buyer's private input, bound to `nextDealId(msg.sender)`.
    /// @return dealId The new deal's id.
    function createDeal(
        address seller,
        bytes32 dataRoot,
        uint64 deadline,
        bytes calldata sealedBuyerInput
    ) external payable returns (uint256 dealId) {
        if (seller == address(0) || seller == msg.sender) revert InvalidSeller(seller);
        if (msg.value == 0 || msg.value > type(uint96).max) revert InvalidEscrow(msg.value);
        if (deadline <= block.timestamp || deadline > block.timestamp + MAX_DEAL_DURATION) {
            revert InvalidDeadline(deadline);
        }
        if (dataRoot == bytes32(0)) revert InvalidDataRoot();
        _checkInputSize(sealedBuyerInput.length);

        dealId = nextDealId(msg.sender);
        ++dealNonce[msg.sender];
        _deals[dealId] = Deal({
            buyer: msg.sender,
            escrow: uint96(msg.value),
            seller: seller,
            deadline: deadline,
            state: DealState.Open,
            dataRoot: dataRoot
        });
        emit DealCreated(dealId, msg.sender, seller, dataRoot, msg.value, deadline, sealedBuyerInput);
    }

    /// @notice The named seller joins an open deal before its deadline.
    /// @param dealId The deal.
    /// @param sealedSellerInput HPKE ciphertext of the seller's private input, bound to `dealId`.
    function acceptDeal(uint256 dealId, bytes calldata sealedSellerInput) external {
        Deal storage deal = _deals[dealId];
        if (deal.state != DealState.Open) revert InvalidState(dealId, deal.state);
        if (msg.sender != deal.seller) revert NotSeller(dealId, msg.sender);
        if (block.timestamp > deal.deadline) revert DeadlinePassed(dealId, deal.deadline);
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
        Deal storage deal = _checkSettleable(outcome);
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
        Deal storage deal = _checkSettleable(outcome);
        address signer = ECDSA.recover(settlementDigest(outcome), signature);
        OracleRegistration storage reg = registrations[signer];
        uint64 expiresAt = reg.expiresAt;
        if (expiresAt == 0) revert UnknownOracle(signer);
        if (block.timestamp > expiresAt) revert OracleRegistrationExpired(signer, expiresAt);
        if (!allowedMeasurements[reg.measurementId]) revert MeasurementNotAllowed(reg.measurementId);
        _settle(deal, outcome);
    }

    /// @notice Returns the buyer's escrow after the deadline of a deal that was not settled.
    /// Anyone may call; the escrow is credited to the buyer.
    /// @param dealId The deal.
    function refund(uint256 dealId) external {
        Deal storage deal = _deals[dealId];
        DealState state = deal.state;
        if (state != DealState.Open && state != DealState.Accepted) revert InvalidState(dealId, state);
        if (block.timestamp <= deal.deadline) revert DeadlineNotPassed(dealId, deal.deadline);

        deal.state = DealState.Refunded;
        uint256 amount = deal.escrow;
        credits[deal.buyer] += amount;
        emit DealRefunded(dealId, amount);
    }

    /// @notice Sends the caller's whole credit to the caller.
    function withdraw() external {
        _withdraw(payable(msg.sender));
    }

    /// @notice Sends the caller's whole credit to `to` (for accounts that cannot receive ETH).
    /// @param to Recipient of the caller's credit.
    function withdrawTo(address payable to) external {
        if (to == address(0)) revert ZeroAddress();
        _withdraw(to);
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

    /// @notice A deal as stored (state None: unknown id).
    /// @param dealId The deal.
    /// @return The deal.
    function getDeal(uint256 dealId) external view returns (Deal memory) {
        return _deals[dealId];
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
    function _checkSettleable(Settlement calldata outcome) private view returns (Deal storage deal) {
        uint256 dealId = outcome.dealId;
        deal = _deals[dealId];
        if (deal.state != DealState.Accepted) revert InvalidState(dealId, deal.state);
        if (block.timestamp > deal.deadline) revert DeadlinePassed(dealId, deal.deadline);
        if (outcome.dataRoot != deal.dataRoot) revert DataRootMismatch(deal.dataRoot, outcome.dataRoot);
        if (outcome.agreed) {
            if (outcome.price > deal.escrow) revert PriceAboveEscrow(outcome.price, deal.escrow);
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

    function _settle(Deal storage deal, Settlement calldata outcome) private {
        deal.state = DealState.Settled;
        uint256 escrow = deal.escrow;
        if (outcome.agreed) {
            uint256 price = outcome.price;
            if (price != 0) credits[deal.seller] += price;
            if (escrow != price) credits[deal.buyer] += escrow - price;
        } else {
            credits[deal.buyer] += escrow;
        }
        emit DealSettled(
            outcome.dealId,
            outcome.agreed,
            outcome.price,
            outcome.termsHash,
            outcome.transcriptHash,
            outcome.delivery
        );
    }

    function _withdraw(address payable to) private nonReentrant {
        uint256 amount = credits[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        credits[msg.sender] = 0;
        emit Withdrawn(msg.sender, to, amount);
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert WithdrawFailed(to, amount);
    }
}
