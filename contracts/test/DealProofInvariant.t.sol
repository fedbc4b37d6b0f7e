// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {DealProof} from "../DealProof.sol";
import {IDealEscrow} from "../interfaces/IDealEscrow.sol";
import {IDealProof} from "../interfaces/IDealProof.sol";
import {IListingRegistry} from "../interfaces/IListingRegistry.sol";
import {ITrustPolicy} from "../interfaces/ITrustPolicy.sol";
import {DcapOutput} from "../lib/DcapOutput.sol";
import {MockDcapVerifier} from "./mocks/MockDcapVerifier.sol";
import {ForceSender} from "./mocks/ForceSender.sol";
import {TestBase, Vm} from "./Vm.sol";

/// @notice Drives DealProof (as its owner too) through random sequences of every action — deals,
/// settlement by signature and by quote through a verifier that refunds part of its fee,
/// registrations, revocations, scheduled/executed/cancelled changes, deal cancellations (the
/// buyer's two-step one, with settlements landing in its notice), listings published, updated,
/// withdrawn and bought (their deals start Accepted), force-sent ETH — tracking ghost totals.
// The ghost totals are the handler: one state variable per invariant it feeds.
// solhint-disable-next-line max-states-count
contract DealProofHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 internal constant FEE = 1 gwei;
    bytes32 internal constant INSTANCE = bytes32(uint256(0x1d));

    DealProof public dp;
    MockDcapVerifier public immutable mock;
    bytes32 public immutable measurement;
    address[3] public actors = [address(0xB0B), address(0xCA7), address(0xD06)];
    uint256[3] public oracleKeys = [uint256(0xA11CE), 0xB0BB1E, 0xC0FFEE];
    uint256[] public dealIds;
    mapping(uint256 => uint256) public escrowOf;
    mapping(uint256 => bytes32) public rootOf;
    mapping(uint256 => uint256) public withdrawnOf;
    uint256 public deposited;
    uint256 public withdrawn;
    /// @notice ETH sent by SELFDESTRUCT (the one way around `receive`).
    uint256 public forced;
    /// @notice Fees the verifier kept (paid minus what it sent back through DealProof).
    uint256 public feesKept;
    /// @notice The largest currentIssuedAt seen (it must never go down).
    uint64 public maxCurrentIssuedAt;
    mapping(uint256 => IDealEscrow.DealState) public terminalState;
    mapping(address => bool) public revokedGhost;
    uint256[] public listingIds;

    constructor(MockDcapVerifier mock_, bytes32 measurement_) {
        mock = mock_;
        measurement = measurement_;
        for (uint256 i = 0; i < 3; ++i) vm.deal(actors[i], 1_000_000 ether);
        vm.deal(address(this), 1_000 ether);
    }

    function init(DealProof dp_) external {
        require(address(dp) == address(0), "already set");
        dp = dp_;
    }

    receive() external payable {}

    /// @notice The first broken expectation (empty while none). Recorded rather than reverted:
    /// the fuzzer discards a reverting call with its state, so a revert would hide the breach.
    string public violation;

    function _fail(string memory why) internal {
        if (bytes(violation).length == 0) violation = why;
    }

    function dealCount() external view returns (uint256) {
        return dealIds.length;
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % 3];
    }

    function _deal(uint256 seed) internal view returns (uint256 id, IDealEscrow.Deal memory d) {
        if (dealIds.length == 0) return (0, d);
        id = dealIds[seed % dealIds.length];
        d = dp.getDeal(id);
    }

    function _output(bytes32 digest) internal pure returns (bytes memory) {
        bytes memory body = new bytes(584);
        body[DcapOutput.TD_ATTRIBUTES + 3] = 0x10;
        for (uint256 i = 0; i < 32; ++i) body[DcapOutput.REPORT_DATA + i] = digest[i];
        return abi.encodePacked(uint16(4), uint16(2), uint8(0), bytes6(0), body);
    }

    function _outcome(
        uint256 id,
        IDealEscrow.Deal memory d,
        uint256 priceSeed,
        bool agreed
    ) internal view returns (IDealProof.Settlement memory) {
        return
            IDealProof.Settlement({
                dealId: id,
                agreed: agreed,
                price: agreed ? priceSeed % (uint256(d.escrow) + 1) : 0,
                termsHash: bytes32(uint256(1)),
                dataRoot: rootOf[id],
                transcriptHash: bytes32(uint256(2)),
                delivery: agreed ? bytes(hex"03") : bytes("")
            });
    }

    function _checkCurrent() internal {
        uint64 cur = dp.currentIssuedAt();
        if (cur < maxCurrentIssuedAt) _fail("currentIssuedAt went back");
        maxCurrentIssuedAt = cur;
        if (revokedGhost[dp.currentSigner()]) _fail("a revoked signer is current");
    }

    function create(uint256 buyerSeed, uint256 sellerSeed, uint96 escrow, uint32 duration) external {
        address buyer = _actor(buyerSeed);
        address seller = _actor(sellerSeed);
        if (buyer == seller) seller = _actor(buyerSeed + 1);
        uint256 amount = (uint256(escrow) % 100 ether) + 1;
        uint64 deadline = uint64(block.timestamp + 1 + (uint256(duration) % 30 days));
        bytes32 root = keccak256(abi.encode(dealIds.length));
        vm.prank(buyer);
        uint256 id = dp.createDeal{value: amount}(seller, root, deadline, hex"01");
        dealIds.push(id);
        escrowOf[id] = amount;
        rootOf[id] = root;
        deposited += amount;
    }

    /// @notice A seller publishes (or, if it is live, updates) a listing of one of three roots,
    /// sealed to the current oracle key, posted or negotiated.
    function publishListing(uint256 sellerSeed, uint256 rootSeed, uint96 price, uint32 expiresIn) external {
        address seller = _actor(sellerSeed);
        bytes32 root = keccak256(abi.encode("listing", rootSeed % 3));
        (, bytes32 key, , ) = dp.currentOracle();
        uint96 posted = price % 2 == 0 ? 0 : (price % 50 ether) + 1;
        IListingRegistry.ListingTerms memory terms = IListingRegistry.ListingTerms({
            mode: posted == 0 ? IListingRegistry.PricingMode.Negotiated : IListingRegistry.PricingMode.Posted,
            postedPrice: posted,
            expiresAt: expiresIn % 3 == 0 ? 0 : uint64(block.timestamp + 1 + (expiresIn % 10 days)),
            chunkSize: 4096,
            chunkCount: 1,
            byteSize: 100,
            encryptionKey: key,
            metadataURI: "ipfs://x"
        });
        uint256 id = dp.listingIdFor(seller, root);
        IListingRegistry.Listing memory before = dp.getListing(id);
        vm.prank(seller);
        if (
            before.status == IListingRegistry.ListingStatus.None ||
            before.status == IListingRegistry.ListingStatus.Withdrawn
        ) {
            try dp.publishListing(root, terms, hex"05") {
                if (before.status == IListingRegistry.ListingStatus.None) listingIds.push(id);
            } catch {}
        } else {
            try dp.updateListing(id, terms, hex"06") {} catch {}
        }
        IListingRegistry.Listing memory listing = dp.getListing(id);
        if (listing.version < before.version) _fail("a listing's version went down");
    }

    function withdrawListing(uint256 seed) external {
        if (listingIds.length == 0) return;
        uint256 id = listingIds[seed % listingIds.length];
        vm.prank(dp.getListing(id).seller);
        try dp.withdrawListing(id) {} catch {}
    }

    /// @notice A buyer opens a deal against a listing; it must start Accepted, and only an Active
    /// listing whose posted price the escrow covers can be bought.
    function buyListing(uint256 seed, uint256 buyerSeed, uint96 escrow, uint32 duration) external {
        if (listingIds.length == 0) return;
        uint256 listingId = listingIds[seed % listingIds.length];
        IListingRegistry.Listing memory listing = dp.getListing(listingId);
        address buyer = _actor(buyerSeed);
        if (buyer == listing.seller) buyer = _actor(buyerSeed + 1);
        uint256 amount = (uint256(escrow) % 100 ether) + 1;
        uint64 deadline = uint64(block.timestamp + 1 + (uint256(duration) % 30 days));
        vm.prank(buyer);
        try dp.createDealFromListing{value: amount}(listingId, listing.version, deadline, hex"07") returns (
            uint256 id
        ) {
            if (listing.status != IListingRegistry.ListingStatus.Active)
                _fail("bought a listing that is not Active");
            if (amount < listing.postedPrice) _fail("bought below the posted price");
            if (dp.getDeal(id).state != IDealEscrow.DealState.Accepted)
                _fail("a listing deal is not Accepted");
            dealIds.push(id);
            escrowOf[id] = amount;
            rootOf[id] = listing.dataRoot;
            deposited += amount;
        } catch {}
    }

    function accept(uint256 seed) external {
        (uint256 id, IDealEscrow.Deal memory d) = _deal(seed);
        if (d.state != IDealEscrow.DealState.Open || block.timestamp > d.deadline) return;
        vm.prank(d.seller);
        dp.acceptDeal(id, hex"02");
    }

    /// @notice Registers one of three oracle keys (issuedAt = now, always newer after a warp).
    function register(uint256 keySeed) external {
        address signer = vm.addr(oracleKeys[keySeed % 3]);
        uint64 issuedAt = uint64(block.timestamp);
        bytes32 key = bytes32(keySeed);
        mock.setResult(true, _output(dp.registrationDigest(signer, key, INSTANCE, issuedAt)));
        uint256 before = address(mock).balance;
        try dp.registerOracle{value: FEE}(signer, key, INSTANCE, issuedAt, hex"00") {
            if (revokedGhost[signer]) _fail("a revoked signer registered");
            feesKept += address(mock).balance - before;
        } catch {
            // refused: revoked, not newer (same second), or measurement disallowed
        }
        _checkCurrent();
    }

    function settle(uint256 seed, uint256 keySeed, uint256 priceSeed, bool agreed) external {
        (uint256 id, IDealEscrow.Deal memory d) = _deal(seed);
        if (d.state != IDealEscrow.DealState.Accepted || block.timestamp > d.deadline) return;
        IDealProof.Settlement memory s = _outcome(id, d, priceSeed, agreed);
        uint256 key = oracleKeys[keySeed % 3];
        (uint8 v, bytes32 r, bytes32 sig) = vm.sign(key, dp.settlementDigest(s));
        try dp.settleWithSignature(s, abi.encodePacked(r, sig, v)) {
            address signer = vm.addr(key);
            if (revokedGhost[signer]) _fail("a revoked signer settled");
            if (!dp.allowedMeasurements(measurement)) _fail("a disallowed measurement settled");
            if (block.timestamp > dp.registrationExpiry(signer)) _fail("an expired signer settled");
            terminalState[id] = IDealEscrow.DealState.Settled;
        } catch {}
    }

    function settleByQuote(uint256 seed, uint256 priceSeed, bool agreed, uint8 refundPercent) external {
        (uint256 id, IDealEscrow.Deal memory d) = _deal(seed);
        if (d.state != IDealEscrow.DealState.Accepted || block.timestamp > d.deadline) return;
        IDealProof.Settlement memory s = _outcome(id, d, priceSeed, agreed);
        mock.setResult(true, _output(dp.settlementDigest(s)));
        mock.setRefundPercent(uint256(refundPercent) % 101);
        uint256 before = address(mock).balance;
        uint256 mine = address(this).balance;
        try dp.settleWithQuote{value: FEE}(s, hex"00") {
            if (!dp.allowedMeasurements(measurement)) _fail("a disallowed measurement settled");
            uint256 kept = address(mock).balance - before;
            if (address(this).balance != mine - kept) _fail("the returned fee did not reach the submitter");
            feesKept += kept;
            terminalState[id] = IDealEscrow.DealState.Settled;
        } catch {}
    }

    function refund(uint256 seed) external {
        (uint256 id, IDealEscrow.Deal memory d) = _deal(seed);
        if (d.state != IDealEscrow.DealState.Open && d.state != IDealEscrow.DealState.Accepted) return;
        if (block.timestamp <= d.deadline) vm.warp(uint256(d.deadline) + 1);
        dp.refund(id);
        terminalState[id] = IDealEscrow.DealState.Refunded;
    }

    /// @notice A party leaves. The buyer of an Accepted deal does it in two steps: a request
    /// (while a change is pending), then, once CANCEL_NOTICE has passed and while the request
    /// lives (not lapsed by CANCEL_WINDOW, by the end of the changes pending at the request, or
    /// by the owner cancelling or executing a change), the cancellation. A lapsed request can
    /// never complete: calling again makes a new request (or fails with no change pending).
    function cancel(uint256 seed, bool asSeller, bool waitNotice) external {
        (uint256 id, IDealEscrow.Deal memory d) = _deal(seed);
        if (d.state != IDealEscrow.DealState.Open && d.state != IDealEscrow.DealState.Accepted) return;
        bool pending = dp.hasPendingChange();
        bool twoStep = !asSeller && d.state == IDealEscrow.DealState.Accepted;
        (, uint64 executableAt, uint64 lapsesAt, bool live) = dp.cancelRequest(id);
        if (twoStep && live != dp.buyerCancelLive(id)) _fail("buyerCancelLive disagrees with the request");
        if (twoStep && live) {
            if (waitNotice && block.timestamp < executableAt) vm.warp(executableAt);
            bool ready = block.timestamp >= executableAt;
            vm.prank(d.buyer);
            try dp.cancelDeal(id) {
                if (!ready) _fail("the buyer cancelled before the notice was over");
                if (block.timestamp > lapsesAt) _fail("the buyer completed a lapsed request");
                terminalState[id] = IDealEscrow.DealState.Refunded;
            } catch {
                if (ready) _fail("the buyer could not complete a live requested cancellation");
            }
            return;
        }
        vm.prank(asSeller ? d.seller : d.buyer);
        try dp.cancelDeal(id) {
            if (!pending) _fail("cancelled with no change pending");
            if (twoStep) {
                if (dp.getDeal(id).state != IDealEscrow.DealState.Accepted)
                    _fail("a cancel request (or a lapsed one) ended the deal");
                (uint64 at, , , bool nowLive) = dp.cancelRequest(id);
                if (at != block.timestamp || !nowLive) _fail("a cancel request was not recorded live");
            } else {
                terminalState[id] = IDealEscrow.DealState.Refunded;
            }
        } catch {
            if (pending && !twoStep) _fail("a party could not leave while a change was pending");
            if (pending && twoStep && _lastLapse() >= block.timestamp + dp.CANCEL_NOTICE())
                _fail("the buyer could not request a cancellation while a change was pending");
        }
    }

    /// @dev When the last pending change lapses (0: none pending).
    function _lastLapse() private view returns (uint256 last) {
        ITrustPolicy.PendingChange[] memory p = dp.pendingChanges();
        for (uint256 i = 0; i < p.length; ++i) if (p[i].lapsesAt > last) last = p[i].lapsesAt;
    }

    function withdraw(uint256 seed, bool asSeller) external {
        (uint256 id, IDealEscrow.Deal memory d) = _deal(seed);
        uint256 amount = asSeller ? d.sellerPayout : d.buyerPayout;
        if (amount == 0) return;
        address party = asSeller ? d.seller : d.buyer;
        uint256 before = party.balance;
        vm.prank(party);
        dp.withdraw(id);
        if (party.balance != before + amount) _fail("withdraw paid the wrong amount");
        withdrawnOf[id] += amount;
        withdrawn += amount;
    }

    /// @notice A party collects two deals (the first listed twice) in one withdrawMany: it pays
    /// exactly the party's payouts, once each, or reverts because a deal is not its or not done.
    function withdrawMany(uint256 seedA, uint256 seedB, bool asSeller) external {
        (uint256 a, IDealEscrow.Deal memory da) = _deal(seedA);
        (uint256 b, IDealEscrow.Deal memory db) = _deal(seedB);
        if (dealIds.length == 0) return;
        address party = asSeller ? da.seller : da.buyer;
        uint256[] memory ids = new uint256[](3);
        (ids[0], ids[1], ids[2]) = (a, b, a);
        uint256 dueA = asSeller ? da.sellerPayout : da.buyerPayout;
        uint256 dueB =
            b == a
                ? 0
                : party == db.buyer
                    ? db.buyerPayout
                    : party == db.seller
                        ? db.sellerPayout
                        : 0;
        uint256 before = party.balance;
        vm.prank(party);
        try dp.withdrawMany(ids, payable(party)) returns (uint256 total) {
            if (total != dueA + dueB || party.balance != before + total)
                _fail("withdrawMany paid the wrong amount");
            withdrawnOf[a] += dueA;
            if (dueB > 0) withdrawnOf[b] += dueB;
            withdrawn += total;
        } catch {
            bool done =
                da.state >= IDealEscrow.DealState.Settled && db.state >= IDealEscrow.DealState.Settled;
            bool ours = party == db.buyer || party == db.seller;
            if (done && ours && dueA + dueB > 0 && party.code.length == 0)
                _fail("withdrawMany refused what is owed");
        }
    }

    /// @notice Owner: schedules one of a few widening changes (a re-allow of the measurement or a
    /// longer TTL), executes or cancels a scheduled one.
    function scheduleChange(uint256 seed) external {
        ITrustPolicy.ChangeKind kind =
            seed % 2 == 0
                ? ITrustPolicy.ChangeKind.AllowMeasurement
                : ITrustPolicy.ChangeKind.LengthenRegistrationTtl;
        bytes32 value =
            kind == ITrustPolicy.ChangeKind.AllowMeasurement
                ? measurement
                : bytes32(uint256(dp.registrationTtl()) + 1 + (seed % 1000));
        try dp.scheduleChange(kind, value) {} catch {}
    }

    function executeOrCancelChange(uint256 seed, bool execute) external {
        ITrustPolicy.PendingChange[] memory p = dp.pendingChanges();
        if (p.length == 0) return;
        ITrustPolicy.PendingChange memory c = p[seed % p.length];
        if (execute) {
            if (block.timestamp < c.readyAt) vm.warp(c.readyAt);
            // a longer TTL executed first makes a shorter pending one a no-op: refused, cancelled
            try dp.executeChange(c.changeId) {} catch {
                dp.cancelChange(c.changeId);
            }
        } else {
            dp.cancelChange(c.changeId);
        }
    }

    /// @notice Owner, immediate: disallow the measurement, refuse/shorten, revoke a signer.
    function narrow(uint256 seed) external {
        uint256 what = seed % 3;
        if (what == 0) {
            dp.disallowMeasurement(measurement);
        } else if (what == 1) {
            uint64 ttl = dp.registrationTtl();
            if (ttl > 2 hours) dp.shortenRegistrationTtl(ttl - 1 hours);
        } else {
            address signer = vm.addr(oracleKeys[(seed / 3) % 3]);
            dp.revokeSigner(signer);
            revokedGhost[signer] = true;
        }
        _checkCurrent();
    }

    function forceSend(uint96 amount) external {
        uint256 a = uint256(amount) % 1 ether;
        new ForceSender().force{value: a}(payable(address(dp)));
        forced += a;
        (bool ok, ) = payable(address(dp)).call{value: 1}("");
        if (ok) _fail("plain ETH was accepted");
    }

    /// @notice Tries to move a terminal deal again; every attempt must revert.
    function poke(uint256 seed) external {
        (uint256 id, IDealEscrow.Deal memory d) = _deal(seed);
        if (d.state != IDealEscrow.DealState.Settled && d.state != IDealEscrow.DealState.Refunded) return;
        try dp.refund(id) {
            _fail("refunded a terminal deal");
        } catch {}
        vm.prank(d.buyer);
        try dp.cancelDeal(id) {
            _fail("cancelled a terminal deal");
        } catch {}
        vm.prank(d.seller);
        try dp.acceptDeal(id, hex"02") {
            _fail("accepted a terminal deal");
        } catch {}
    }

    function warp(uint32 secondsAhead) external {
        vm.warp(block.timestamp + 1 + (uint256(secondsAhead) % 7 days));
    }
}

/// @notice Invariants: ETH held == open escrow + unwithdrawn payouts + force-sent ETH ==
/// deposits − withdrawals + forced; fees the verifier returned never stay in DealProof; no deal
/// pays out more than its escrow; terminal states never change; currentSigner never moves back
/// and is never revoked (checked inside the handler's actions).
contract DealProofInvariantTest is TestBase {
    DealProof internal dp;
    DealProofHandler internal handler;
    MockDcapVerifier internal mock;

    function setUp() public {
        mock = new MockDcapVerifier();
        bytes memory out = new bytes(595);
        out[DcapOutput.BODY + DcapOutput.TD_ATTRIBUTES + 3] = 0x10;
        bytes32 measurement = DcapOutput.measurementId(out);
        handler = new DealProofHandler(mock, measurement);
        bytes32[] memory allowed = new bytes32[](1);
        allowed[0] = measurement;
        // the handler owns DealProof, so it can schedule, execute, cancel, narrow and revoke
        // a 2-hour change delay (allowed on the local chain id) gives a 1-hour CANCEL_NOTICE, so
        // the buyer's two-step cancellation and settlements landing during its notice are fuzzed
        dp = new DealProof(address(handler), mock, 30 days, 1 hours, 2 hours, allowed);
        handler.init(dp);
        handler.register(0);
    }

    /// @notice Only the handler is fuzzed (Foundry's StdInvariant convention).
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_balanceIsOpenEscrowPlusPayouts() public view {
        uint256 held;
        uint256 n = handler.dealCount();
        for (uint256 i = 0; i < n; ++i) {
            uint256 id = handler.dealIds(i);
            IDealEscrow.Deal memory d = dp.getDeal(id);
            uint256 inDeal = d.escrow + d.buyerPayout + d.sellerPayout;
            assertEq(
                inDeal + handler.withdrawnOf(id),
                handler.escrowOf(id),
                "a deal's escrow != held + paid out"
            );
            held += inDeal;
        }
        assertEq(
            address(dp).balance,
            held + handler.forced(),
            "ETH balance != open escrow + payouts + forced"
        );
        assertEq(
            address(dp).balance,
            handler.deposited() - handler.withdrawn() + handler.forced(),
            "ETH balance != deposits - withdrawals + forced"
        );
        assertEq(address(mock).balance, handler.feesKept(), "the verifier holds more or less than it kept");
    }

    function invariant_terminalStatesAreFinal() public view {
        uint256 n = handler.dealCount();
        for (uint256 i = 0; i < n; ++i) {
            uint256 id = handler.dealIds(i);
            IDealEscrow.DealState recorded = handler.terminalState(id);
            if (recorded != IDealEscrow.DealState.None) {
                assertTrue(dp.getDeal(id).state == recorded, "a terminal deal changed state");
            }
        }
    }

    function invariant_handlerSawNoViolation() public view {
        assertTrue(bytes(handler.violation()).length == 0, handler.violation());
    }

    function invariant_currentSignerNeverRevoked() public view {
        address cur = dp.currentSigner();
        assertTrue(cur == address(0) || !dp.registrationOf(cur).revoked, "the current signer is revoked");
        assertTrue(dp.currentIssuedAt() >= handler.maxCurrentIssuedAt(), "currentIssuedAt went back");
    }
}
