// SPDX-License-Identifier: MIT
pragma solidity ^0.8.33;

/// @title IListingRegistry
/// @notice Listings (DESIGN.md §11): a seller publishes a dataset once — its root and chunk
/// layout, public metadata, a pricing mode, and its sealed seller input sealed once to a
/// registered oracle encryption key with the listing as context — and sells it to many buyers.
/// A buyer opens a deal against a listing with its escrow and sealed input; the deal starts
/// Accepted (the seller is already in). Updating or withdrawing a listing never changes a deal
/// created before: a deal names the listing version it was bought under.
/// @dev Implemented by the abstract contract ListingRegistry. A listing's id commits to its
/// seller and dataset root (`listingIdFor`), so a seller cannot list the same root twice while
/// the first listing is live, and a seller can compute the id (the sealing context of its input)
/// before publishing. A listing sealed to an encryption key that no unexpired registration
/// carries any more cannot be bought (ListingKeyRetired) and reports RepublishNeeded.
interface IListingRegistry {
    // ───────────────────────────── types ─────────────────────────────

    /// @notice How a listing's price is found: negotiated inside the enclave within the seller's
    /// sealed floor, or a public posted price (a deal exactly when the buyer's checks pass and
    /// its sealed budget covers it).
    enum PricingMode {
        Negotiated,
        Posted
    }

    /// @notice What a buyer sees of a listing now.
    enum ListingStatus {
        /// No listing has this id.
        None,
        /// Can be bought.
        Active,
        /// The seller withdrew it.
        Withdrawn,
        /// Past its expiry.
        Expired,
        /// Its sealed input is sealed to a key no live registration carries: the seller must
        /// update it with an input sealed to the current oracle key.
        RepublishNeeded
    }

    /// @notice What a seller publishes, and replaces in an update.
    struct ListingTerms {
        PricingMode mode;
        /// Posted: the price in wei (> 0). Negotiated: 0.
        uint96 postedPrice;
        /// Unix time after which it cannot be bought; 0: never.
        uint64 expiresAt;
        /// The chunk layout the root commits to (DESIGN.md §7): bytes per chunk,
        uint32 chunkSize;
        /// number of chunks,
        uint64 chunkCount;
        /// and the dataset's size in bytes.
        uint64 byteSize;
        /// The oracle HPKE key `sealedSellerInput` is sealed to (a registered one).
        bytes32 encryptionKey;
        /// Public description/metadata reference (https:// or ipfs:// URI), ≤ 512 bytes.
        string metadataURI;
    }

    /// @notice A listing as `getListing` reports it.
    struct Listing {
        address seller;
        bytes32 dataRoot;
        /// 1 on publication, +1 on each update.
        uint32 version;
        PricingMode mode;
        uint96 postedPrice;
        uint64 expiresAt;
        bytes32 encryptionKey;
        ListingStatus status;
    }

    // ───────────────────────────── events ─────────────────────────────

    /// @notice A listing was published (version 1) or updated (version > 1).
    /// @param listingId The listing (`listingIdFor(seller, dataRoot)`).
    /// @param seller Its seller.
    /// @param dataRoot Its dataset commitment.
    /// @param version The version these terms and this input belong to.
    /// @param terms The public terms.
    /// @param sealedSellerInput HPKE ciphertext of the seller's private input, sealed to
    /// `terms.encryptionKey` with the listing's context.
    event ListingPublished(
        uint256 indexed listingId,
        address indexed seller,
        bytes32 indexed dataRoot,
        uint32 version,
        ListingTerms terms,
        bytes sealedSellerInput
    );

    /// @notice The seller withdrew a listing; deals created before keep their terms.
    /// @param listingId The listing.
    /// @param version Its last version.
    event ListingWithdrawn(uint256 indexed listingId, uint32 version);

    /// @notice A buyer opened a deal against a listing; the deal is Accepted from the start.
    /// Its seller and dataset root are the listing's.
    /// @param dealId The deal (`dealIdFor(buyer, seller, dataRoot, deadline)`).
    /// @param listingId The listing.
    /// @param buyer Who escrowed.
    /// @param version The listing version bought under (its terms and sealed input apply).
    /// @param escrow Wei escrowed.
    /// @param deadline Unix time after which an unsettled deal can be refunded.
    /// @param sealedBuyerInput HPKE ciphertext of the buyer's private input (deal context).
    event ListingDealCreated(
        uint256 indexed dealId,
        uint256 indexed listingId,
        address indexed buyer,
        uint32 version,
        uint256 escrow,
        uint64 deadline,
        bytes sealedBuyerInput
    );

    // ───────────────────────────── errors ─────────────────────────────

    /// @notice No listing has this id.
    /// @param listingId The id.
    error UnknownListing(uint256 listingId);
    /// @notice publishListing: the caller already has a live listing of this root (update it).
    /// @param listingId The existing listing.
    error ListingExists(uint256 listingId);
    /// @notice updateListing/withdrawListing by someone other than the seller.
    /// @param listingId The listing.
    /// @param caller msg.sender.
    error NotListingSeller(uint256 listingId, address caller);
    /// @notice The listing was withdrawn.
    /// @param listingId The listing.
    error ListingIsWithdrawn(uint256 listingId);
    /// @notice createDealFromListing after the listing's expiry.
    /// @param listingId The listing.
    /// @param expiresAt Its expiry.
    error ListingExpired(uint256 listingId, uint64 expiresAt);
    /// @notice createDealFromListing: the listing's sealed input is sealed to a key no live
    /// registration carries (the seller must re-publish, i.e. update it).
    /// @param listingId The listing.
    /// @param encryptionKey The key it is sealed to.
    error ListingKeyRetired(uint256 listingId, bytes32 encryptionKey);
    /// @notice createDealFromListing: the listing was updated since the buyer read it.
    /// @param listingId The listing.
    /// @param expected The version the buyer named.
    /// @param current The listing's version now.
    error ListingVersionMismatch(uint256 listingId, uint32 expected, uint32 current);
    /// @notice createDealFromListing: a posted listing's price is above the escrow.
    /// @param escrow msg.value.
    /// @param postedPrice The listing's price.
    error EscrowBelowPostedPrice(uint256 escrow, uint256 postedPrice);
    /// @notice publish/update: a posted price of 0, or a negotiated listing with a price.
    /// @param mode The mode given.
    /// @param postedPrice The price given.
    error InvalidPricing(PricingMode mode, uint256 postedPrice);
    /// @notice publish/update: an expiry that is not 0 and not in the future.
    /// @param expiresAt The expiry given.
    error InvalidListingExpiry(uint64 expiresAt);
    /// @notice publish/update: a chunk size or count of 0, or a byte size the layout cannot hold.
    error InvalidChunkLayout();
    /// @notice publish/update: a metadata URI longer than 512 bytes.
    /// @param length Its length.
    error MetadataTooLong(uint256 length);
    /// @notice publish/update: the encryption key is carried by no unexpired registration.
    /// @param encryptionKey The key given.
    error EncryptionKeyNotLive(bytes32 encryptionKey);

    // ───────────────────────────── functions ─────────────────────────────

    /// @notice Publishes a listing of `dataRoot` at version 1 (or re-publishes a withdrawn one
    /// of the same root at its next version).
    ///
    /// Requirements: dataRoot ≠ 0 (InvalidDataRoot); no live listing of it by the caller
    /// (ListingExists); valid terms (InvalidPricing, InvalidListingExpiry, InvalidChunkLayout,
    /// MetadataTooLong, EncryptionKeyNotLive); the input ≤ MAX_SEALED_INPUT_BYTES (SealedInputTooLarge).
    ///
    /// Emits: ListingPublished.
    /// @param dataRoot The dataset commitment.
    /// @param terms The public terms.
    /// @param sealedSellerInput The seller input sealed to `terms.encryptionKey` (listing context).
    /// @return listingId `listingIdFor(msg.sender, dataRoot)`.
    function publishListing(
        bytes32 dataRoot,
        ListingTerms calldata terms,
        bytes calldata sealedSellerInput
    ) external returns (uint256 listingId);

    /// @notice Replaces a live listing's terms and sealed input (version + 1). Deals created
    /// before keep the version they were bought under.
    ///
    /// Requirements: the listing exists (UnknownListing), the caller is its seller
    /// (NotListingSeller), it is not withdrawn (ListingIsWithdrawn); terms and input as in
    /// publishListing.
    ///
    /// Emits: ListingPublished (the new version).
    /// @param listingId The listing.
    /// @param terms The new terms.
    /// @param sealedSellerInput The new sealed input.
    function updateListing(
        uint256 listingId,
        ListingTerms calldata terms,
        bytes calldata sealedSellerInput
    ) external;

    /// @notice Withdraws a listing: no new deal can be created against it.
    ///
    /// Requirements: the listing exists (UnknownListing), the caller is its seller
    /// (NotListingSeller), it is not withdrawn already (ListingIsWithdrawn).
    ///
    /// Emits: ListingWithdrawn.
    /// @param listingId The listing.
    function withdrawListing(uint256 listingId) external;

    /// @notice Opens a deal against a listing, escrowing `msg.value`; the deal starts Accepted.
    ///
    /// Requirements: the listing exists (UnknownListing), is not withdrawn (ListingIsWithdrawn),
    /// not expired (ListingExpired), its key is live (ListingKeyRetired) and its version is
    /// `version` (ListingVersionMismatch); the caller is not its seller (InvalidSeller); escrow
    /// and deadline as in createDeal (InvalidEscrow, InvalidDeadline); a posted price ≤ msg.value
    /// (EscrowBelowPostedPrice); the input ≤ MAX_SEALED_INPUT_BYTES (SealedInputTooLarge); no deal
    /// with the same id (DealExists).
    ///
    /// Emits: ListingDealCreated.
    /// @param listingId The listing.
    /// @param version The version the buyer read (front-running guard against an update).
    /// @param deadline Unix time after which an unsettled deal can be refunded.
    /// @param sealedBuyerInput The buyer input sealed to the current oracle key (deal context).
    /// @return dealId The new deal's id.
    function createDealFromListing(
        uint256 listingId,
        uint32 version,
        uint64 deadline,
        bytes calldata sealedBuyerInput
    ) external payable returns (uint256 dealId);

    /// @notice A listing now (status None: no such listing).
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @param listingId The listing.
    /// @return The listing.
    function getListing(uint256 listingId) external view returns (Listing memory);

    /// @notice The id of `seller`'s listing of `dataRoot`: keccak256(abi.encode(chainid, this,
    /// seller, dataRoot)).
    ///
    /// Requirements: none (view). Emits: nothing.
    /// @param seller The seller.
    /// @param dataRoot The dataset commitment.
    /// @return The listing id.
    function listingIdFor(address seller, bytes32 dataRoot) external view returns (uint256);
}
