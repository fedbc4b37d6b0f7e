// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";

/// @notice Test smart-contract wallet: one owner key; ERC-1271 accepts the owner's ECDSA
/// signature over the hash it is asked about. Used to test sign-in by contract wallets.
contract TestSmartWallet is IERC1271 {
    /// @notice The key whose signatures this wallet accepts.
    address public immutable owner;

    /// @param owner_ The key whose signatures this wallet accepts.
    constructor(address owner_) {
        owner = owner_;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        return
            err == ECDSA.RecoverError.NoError && signer == owner
                ? this.isValidSignature.selector
                : bytes4(0xffffffff);
    }
}

/// @notice CREATE2 factory of TestSmartWallet: its counterfactual addresses let ERC-6492 sign-ins
/// by wallets not deployed yet be tested.
contract TestSmartWalletFactory {
    /// @notice A wallet was deployed for `owner` with `salt` at `wallet`.
    event WalletDeployed(address indexed wallet, address indexed owner, bytes32 salt);

    /// @notice Deploys the wallet of (`owner`, `salt`), or returns it if it exists.
    /// @param owner The wallet's key.
    /// @param salt The CREATE2 salt.
    /// @return wallet The wallet's address.
    function deploy(address owner, bytes32 salt) external returns (address wallet) {
        wallet = addressOf(owner, salt);
        if (wallet.code.length > 0) return wallet;
        wallet = address(new TestSmartWallet{salt: salt}(owner));
        emit WalletDeployed(wallet, owner, salt);
    }

    /// @notice The address the wallet of (`owner`, `salt`) has or will have.
    /// @param owner The wallet's key.
    /// @param salt The CREATE2 salt.
    /// @return The wallet's address.
    function addressOf(address owner, bytes32 salt) public view returns (address) {
        return
            Create2.computeAddress(
                salt,
                keccak256(abi.encodePacked(type(TestSmartWallet).creationCode, abi.encode(owner)))
            );
    }
}
