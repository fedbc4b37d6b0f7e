// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {DealProof} from "../DealProof.sol";
import {MockDcapVerifier} from "./mocks/MockDcapVerifier.sol";
import {TestBase, Vm} from "./Vm.sol";

/// @notice Drives DealProof through random sequences of every user action, tracking ghost totals.
contract DealProofHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 internal constant ORACLE_KEY = 0xA11CE;

    DealProof public immutable dp;
    address[3] public actors = [address(0xB0B), address(0xCA7), address(0xD06)];
    uint256[] public dealIds;
    /// @notice Escrow each deal was created with, and its dataset root (not stored by DealProof).
    mapping(uint256 => uint256) public escrowOf;
    mapping(uint256 => bytes32) public rootOf;
    /// @notice ETH paid out of each deal so far.
    mapping(uint256 => uint256) public withdrawnOf;
    /// @notice ETH sent in by createDeal and out by withdraw, over all deals.
    uint256 public deposited;
    uint256 public withdrawn;
    /// @notice State each deal had when it first became terminal.
    mapping(uint256 => DealProof.DealState) public terminalState;
    uint256 public calls;

    constructor(DealProof dp_) {
        dp = dp_;
        for (uint256 i = 0; i < 3; ++i) vm.deal(actors[i], 1_000_000 ether);
    }

    function dealCount() external view returns (uint256) {
        return dealIds.length;
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % 3];
    }

    function _deal(uint256 seed) internal view returns (uint256 id, DealProof.Deal memory d) {
        if (dealIds.length == 0) return (0, d);
        id = dealIds[seed % dealIds.length];
        d = dp.getDeal(id);
    }

    function create(uint256 buyerSeed, uint256 sellerSeed, uint96 escrow, uint32 duration) external {
        ++calls;
        address buyer = _actor(buyerSeed);
        address seller = _actor(sellerSeed);
        if (buyer == seller) seller = _actor(buyerSeed + 1);
        uint256 amount = (uint256(escrow) % 100 ether) + 1;
        uint64 deadline = uint64(block.timestamp + 1 + (uint256(duration) % 30 days));
        vm.prank(buyer);
        bytes32 root = keccak256(abi.encode(dealIds.length));
        uint256 id = dp.createDeal{value: amount}(seller, root, deadline, hex"01");
        dealIds.push(id);
        escrowOf[id] = amount;
        rootOf[id] = root;
        deposited += amount;
    }

    function accept(uint256 seed) external {
        ++calls;
        (uint256 id, DealProof.Deal memory d) = _deal(seed);
        if (d.state != DealProof.DealState.Open || block.timestamp > d.deadline) return;
        vm.prank(d.seller);
        dp.acceptDeal(id, hex"02");
    }

    function settle(uint256 seed, uint256 priceSeed, bool agreed) external {
        ++calls;
        (uint256 id, DealProof.Deal memory d) = _deal(seed);
        if (d.state != DealProof.DealState.Accepted || block.timestamp > d.deadline) return;
        DealProof.Settlement memory s = DealProof.Settlement({
            dealId: id,
            agreed: agreed,
            price: agreed ? priceSeed % (uint256(d.escrow) + 1) : 0,
            termsHash: bytes32(uint256(1)),
            dataRoot: rootOf[id],
            transcriptHash: bytes32(uint256(2)),
            delivery: agreed ? bytes(hex"03") : bytes("")
        });
        (uint8 v, bytes32 r, bytes32 sig) = vm.sign(ORACLE_KEY, dp.settlementDigest(s));
        dp.settleWithSignature(s, abi.encodePacked(r, sig, v));
        terminalState[id] = DealProof.DealState.Settled;
    }

    function refund(uint256 seed) external {
        ++calls;
        (uint256 id, DealProof.Deal memory d) = _deal(seed);
        if (d.state != DealProof.DealState.Open && d.state != DealProof.DealState.Accepted) return;
        if (block.timestamp <= d.deadline) vm.warp(uint256(d.deadline) + 1);
        dp.refund(id);
        terminalState[id] = DealProof.DealState.Refunded;
    }

    function withdraw(uint256 seed, bool asSeller) external {
        ++calls;
        (uint256 id, DealProof.Deal memory d) = _deal(seed);
        uint256 amount = asSeller ? d.sellerPayout : d.buyerPayout;
        if (amount == 0) return;
        address party = asSeller ? d.seller : d.buyer;
        uint256 before = party.balance;
        vm.prank(party);
        dp.withdraw(id);
        if (party.balance != before + amount) revert("withdraw paid the wrong amount");
        withdrawnOf[id] += amount;
        withdrawn += amount;
    }

    /// @notice Tries to move a terminal deal again; every attempt must revert.
    function poke(uint256 seed) external {
        ++calls;
        (uint256 id, DealProof.Deal memory d) = _deal(seed);
        if (d.state != DealProof.DealState.Settled && d.state != DealProof.DealState.Refunded) return;
        vm.warp(block.timestamp + 366 days);
        try dp.refund(id) {
            revert("refunded a terminal deal");
        } catch {}
        vm.prank(d.seller);
        try dp.acceptDeal(id, hex"02") {
            revert("accepted a terminal deal");
        } catch {}
    }

    function warp(uint32 secondsAhead) external {
        ++calls;
        vm.warp(block.timestamp + (uint256(secondsAhead) % 7 days));
    }
}

/// @notice Invariants: ETH held == what deals still hold == deposits − withdrawals; no deal pays
/// out more than its escrow; terminal states never change.
contract DealProofInvariantTest is TestBase {
    DealProof internal dp;
    DealProofHandler internal handler;

    function setUp() public {
        MockDcapVerifier mock = new MockDcapVerifier();
        dp = new DealProof(address(this), mock, 3650 days);
        dp.setMeasurementAllowed(keccak256(new bytes(240)), true);
        address signer = vm.addr(0xA11CE);
        bytes32 key = bytes32(uint256(0xE));
        bytes memory body = new bytes(584);
        bytes32 digest = dp.registrationDigest(signer, key);
        for (uint256 i = 0; i < 32; ++i) body[520 + i] = digest[i];
        mock.setResult(true, abi.encodePacked(uint16(4), uint16(2), uint8(0), bytes6(0), body));
        dp.registerOracle(signer, key, hex"00");
        handler = new DealProofHandler(dp);
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
            DealProof.Deal memory d = dp.getDeal(id);
            uint256 inDeal = d.escrow + d.buyerPayout + d.sellerPayout;
            assertEq(
                inDeal + handler.withdrawnOf(id),
                handler.escrowOf(id),
                "a deal's escrow != held + paid out"
            );
            held += inDeal;
        }
        assertEq(address(dp).balance, held, "ETH balance != open escrow + unwithdrawn payouts");
        assertEq(
            address(dp).balance,
            handler.deposited() - handler.withdrawn(),
            "ETH balance != deposits - withdrawals"
        );
    }

    function invariant_terminalStatesAreFinal() public view {
        uint256 n = handler.dealCount();
        for (uint256 i = 0; i < n; ++i) {
            uint256 id = handler.dealIds(i);
            DealProof.DealState recorded = handler.terminalState(id);
            if (recorded != DealProof.DealState.None) {
                assertTrue(dp.getDeal(id).state == recorded, "a terminal deal changed state");
            }
        }
    }
}
