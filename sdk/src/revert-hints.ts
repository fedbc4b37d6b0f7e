/**
 * What to do about each of DealProof's custom errors, in words for a dapp developer (no CLI
 * flags, no task names): one table for the `dealproof` entry's ethers decoder (revert.ts) and the
 * viem entry's (viem/chain-error.ts). Keyed by the error's name; a hint may read the error's
 * `bytes` reason as text (VerifierRejected). Never a private value: revert data carries only what
 * the contract put on-chain.
 */

/** The hint for a custom error by name, given its first `bytes` argument as text (or ""). */
export const REVERT_HINTS: Readonly<Record<string, (reasonText: string) => string>> = {
  VerifierRejected: (reason) =>
    /attestation key/i.test(reason)
      ? "the simulated verifier does not know this simulator's attestation key: deploy the local DealProof " +
        "again with this simulator's key (docs/local.md)"
      : "the DCAP verifier refused the quote: check it with verifySettlementQuote to see why",
  MeasurementNotAllowed: () =>
    "this enclave's measurement is not allowed on this DealProof: its owner must allow it (docs/operations.md)",
  TcbStatusNotAccepted: () => "the platform's TCB status is not accepted by DealProof's owner",
  DealExists: () => "a deal with this seller, data root and deadline exists already: choose another deadline",
  DeadlinePassed: () =>
    "the deal's deadline has passed: the buyer can get the escrow back with refund(dealId)",
  DeadlineNotPassed: () => "a refund is possible only after the deadline",
  InvalidState: () => "the deal is not in a state that allows this: read it with getDealStatus(dealId)",
  NotSeller: () => "only the seller named in the deal may accept it: send the transaction from that account",
  NotParty: () =>
    "only the deal's buyer or seller may do this: send the transaction from one of those accounts",
  NothingToWithdraw: () => "there is no payout left for this account in this deal",
  InvalidEscrow: () => "the escrow must be more than 0",
  InvalidDeadline: () => "the deadline must be in the future and fit in 64 bits",
  InvalidSeller: () => "the seller must be a non-zero address other than the buyer",
  SealedInputTooLarge: () => "shorten the sealed text (requirements, description or e-mail)",
  OracleRegistrationExpired: () => "the oracle's registration expired: wait until it registers again",
  UnknownOracle: () => "this signer never registered with this DealProof",
  PriceAboveEscrow: () => "the price cannot exceed the escrow",
  OwnableUnauthorizedAccount: () => "only DealProof's owner (the deployer) may do this",
  UnknownListing: () => "no listing has this id on this DealProof: check the id and the network",
  ListingExists: () =>
    "this account already has a live listing of this data root: update that listing (updateListing) instead",
  NotListingSeller: () => "only the listing's seller may change or withdraw it: send from that account",
  ListingIsWithdrawn: () =>
    "the listing was withdrawn: it cannot be bought or updated; its seller may publish it again",
  ListingExpired: () => "the listing has expired: its seller may update it with a later expiry",
  ListingKeyRetired: () =>
    "the listing is sealed to an oracle key that is no longer live: its seller must update it (updateListing " +
    "re-seals the input to the current key) before anyone can buy it",
  ListingVersionMismatch: () =>
    "the listing was updated since it was read: read it again (getListing), check the new terms, then buy that version",
  EscrowBelowPostedPrice: () => "escrow at least the listing's posted price",
  InvalidPricing: () => "a posted listing needs a price above 0; a negotiated one must have no price",
  InvalidListingExpiry: () => "the expiry must be 0 (never) or a time in the future",
  InvalidChunkLayout: () =>
    "the chunk size and count must be above 0 and hold the byte size: use the layout the data root was built with",
  MetadataTooLong: () => "shorten the metadata URI to at most 512 bytes",
  EncryptionKeyNotLive: () =>
    "seal the input to the oracle's current key (publishListing and updateListing do): this key is not live",
  PublicChain: () => "the simulated verifier refuses public chain ids: use Automata's verifier",
};
