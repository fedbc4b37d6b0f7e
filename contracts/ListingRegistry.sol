// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

import {IListingRegistry} from "./interfaces/IListingRegistry.sol";
import {DealEscrow} from "./DealEscrow.sol";

/// @title ListingRegistry
/// @notice The listings (DESIGN.md §11): a seller publishes a dataset once — root, public terms,
/// and its seller input sealed once to a registered oracle key with the listing as context — and
/// buyers open deals against it that start Accepted. Updating or withdrawing a listing never
/// changes a deal created before (a deal names the version it was bought under in its event).
/// @dev Built on DealEscrow: a listing deal is opened through `_openDeal`, so deal storage and
/// settlement stay the escrow's. Whether a listing's key is still carried by a registration is
/// asked of the composition (`_encryptionKeyLiveUntil`, the oracle registry's answer in
/// DealProof), so this part does not know the registry. Gas: a listing lives in four slots; the
/// chunk layout and metadata URI are only in the ListingPublished event (the chain never reads
/// them), and the pricing mode is implied by the price (0: negotiated), which InvalidPricing
/// guarantees. Discovery is by logs (ListingPublished/ListingWithdrawn/ListingDealCreated): no
/// on-chain array.
abstract contract ListingRegistry is DealEscrow, IListingRegistry {
    /// @notice A listing as stored: four slots.
    struct StoredListing {
        // slot 0: what every call reads first
        address seller;
        uint32 version;
        uint64 expiresAt;
        // slot 1
        bytes32 dataRoot;
        // slot 2
        bytes32 encryptionKey;
        // slot 3: 0 for a negotiated listing
        uint96 postedPrice;
        bool withdrawn;
    }

    /// @notice Longest public metadata URI a listing may carry, in bytes.
    uint256 public constant MAX_METADATA_URI_BYTES = 512;

    mapping(uint256 listingId => StoredListing) private _listings;

    /// @inheritdoc IListingRegistry
    function publishListing(
        bytes32 dataRoot,
        ListingTerms calldata terms,
        bytes calldata sealedSellerInput
    ) external returns (uint256 listingId) {
        if (dataRoot == bytes32(0)) revert InvalidDataRoot();
        listingId = listingIdFor(msg.sender, dataRoot);
        StoredListing storage listing = _listings[listingId];
        if (listing.seller != address(0) && !listing.withdrawn) revert ListingExists(listingId);
        _checkTerms(terms, sealedSellerInput.length);

        // a withdrawn listing of the same root comes back at its next version
        uint32 version = listing.version + 1;
        _listings[listingId] = StoredListing({
            seller: msg.sender,
            version: version,
            expiresAt: terms.expiresAt,
            dataRoot: dataRoot,
            encryptionKey: terms.encryptionKey,
            postedPrice: terms.postedPrice,
            withdrawn: false
        });
        emit ListingPublished(listingId, msg.sender, dataRoot, version, terms, sealedSellerInput);
    }

    /// @inheritdoc IListingRegistry
    function updateListing(
        uint256 listingId,
        ListingTerms calldata terms,
        bytes calldata sealedSellerInput
    ) external {
        StoredListing storage listing = _requireSellerOfLive(listingId);
        _checkTerms(terms, sealedSellerInput.length);

        uint32 version = listing.version + 1;
        listing.version = version;
        listing.expiresAt = terms.expiresAt;
        listing.encryptionKey = terms.encryptionKey;
        listing.postedPrice = terms.postedPrice;
        emit ListingPublished(listingId, msg.sender, listing.dataRoot, version, terms, sealedSellerInput);
    }

    /// @inheritdoc IListingRegistry
    function withdrawListing(uint256 listingId) external {
        StoredListing storage listing = _requireSellerOfLive(listingId);

        listing.withdrawn = true;
        emit ListingWithdrawn(listingId, listing.version);
    }

    /// @inheritdoc IListingRegistry
    function createDealFromListing(
        uint256 listingId,
        uint32 version,
        uint64 deadline,
        bytes calldata sealedBuyerInput
    ) external payable returns (uint256 dealId) {
        StoredListing storage listing = _listings[listingId];
        address seller = listing.seller;
        uint32 current = listing.version;
        uint64 expiresAt = listing.expiresAt;
        if (seller == address(0)) revert UnknownListing(listingId);
        uint96 postedPrice = listing.postedPrice;
        if (listing.withdrawn) revert ListingIsWithdrawn(listingId);
        if (expiresAt != 0 && block.timestamp > expiresAt) revert ListingExpired(listingId, expiresAt);
        bytes32 key = listing.encryptionKey;
        if (block.timestamp > _encryptionKeyLiveUntil(key)) revert ListingKeyRetired(listingId, key);
        if (version != current) revert ListingVersionMismatch(listingId, version, current);
        if (seller == msg.sender) revert InvalidSeller(seller);
        if (msg.value < postedPrice) revert EscrowBelowPostedPrice(msg.value, postedPrice);

        // the seller is already in: the deal starts Accepted; its id is a direct deal's
        dealId = _openDeal(seller, listing.dataRoot, deadline, sealedBuyerInput.length, DealState.Accepted);
        emit ListingDealCreated(
            dealId,
            listingId,
            msg.sender,
            version,
            msg.value,
            deadline,
            sealedBuyerInput
        );
    }

    // ───────────────────────────── views ─────────────────────────────

    /// @inheritdoc IListingRegistry
    function getListing(uint256 listingId) external view returns (Listing memory listing) {
        StoredListing memory s = _listings[listingId];
        if (s.seller == address(0)) return listing; // status None
        listing.seller = s.seller;
        listing.dataRoot = s.dataRoot;
        listing.version = s.version;
        listing.mode = s.postedPrice == 0 ? PricingMode.Negotiated : PricingMode.Posted;
        listing.postedPrice = s.postedPrice;
        listing.expiresAt = s.expiresAt;
        listing.encryptionKey = s.encryptionKey;
        if (s.withdrawn) listing.status = ListingStatus.Withdrawn;
        else if (s.expiresAt != 0 && block.timestamp > s.expiresAt) listing.status = ListingStatus.Expired;
        else if (block.timestamp > _encryptionKeyLiveUntil(s.encryptionKey)) {
            listing.status = ListingStatus.RepublishNeeded;
        } else listing.status = ListingStatus.Active;
    }

    /// @inheritdoc IListingRegistry
    function listingIdFor(address seller, bytes32 dataRoot) public view returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(this), seller, dataRoot)));
    }

    // ───────────────────────────── internal ─────────────────────────────

    /// @dev Until when a registration carries `encryptionKey` (0: never): the oracle registry's
    /// `encryptionKeyLiveUntil`, joined in DealProof.
    function _encryptionKeyLiveUntil(bytes32 encryptionKey) internal view virtual returns (uint64);

    /// @dev The listing, if it exists (UnknownListing), the caller is its seller
    /// (NotListingSeller) and it is not withdrawn (ListingIsWithdrawn).
    function _requireSellerOfLive(uint256 listingId) private view returns (StoredListing storage listing) {
        listing = _listings[listingId];
        address seller = listing.seller;
        if (seller == address(0)) revert UnknownListing(listingId);
        if (msg.sender != seller) revert NotListingSeller(listingId, msg.sender);
        if (listing.withdrawn) revert ListingIsWithdrawn(listingId);
    }

    /// @dev The checks publish and update make on terms and input: pricing (InvalidPricing),
    /// expiry (InvalidListingExpiry), layout (InvalidChunkLayout: sizes > 0, the last chunk
    /// neither empty nor over-full), metadata length (MetadataTooLong), a live key
    /// (EncryptionKeyNotLive) and the input size (SealedInputTooLarge).
    function _checkTerms(ListingTerms calldata terms, uint256 inputLength) private view {
        uint256 postedPrice = terms.postedPrice;
        if ((terms.mode == PricingMode.Posted) != (postedPrice != 0)) {
            revert InvalidPricing(terms.mode, postedPrice);
        }
        uint64 expiresAt = terms.expiresAt;
        if (expiresAt != 0 && expiresAt <= block.timestamp) revert InvalidListingExpiry(expiresAt);
        uint256 chunkSize = terms.chunkSize;
        uint256 chunkCount = terms.chunkCount;
        uint256 byteSize = terms.byteSize;
        if (
            chunkSize == 0 ||
            chunkCount == 0 ||
            byteSize > chunkSize * chunkCount ||
            byteSize <= chunkSize * (chunkCount - 1)
        ) revert InvalidChunkLayout();
        uint256 uriLength = bytes(terms.metadataURI).length;
        if (uriLength > MAX_METADATA_URI_BYTES) revert MetadataTooLong(uriLength);
        bytes32 key = terms.encryptionKey;
        if (block.timestamp > _encryptionKeyLiveUntil(key)) revert EncryptionKeyNotLive(key);
        _checkInputSize(inputLength);
    }
}
